// Draws compare.html's chart with Apache ECharts: the gated metric's relative change per trial,
// its 95 % Welch interval as a box and the threshold as dashed lines. The table holds every
// number. Sets #tpb-status's data-* attributes when done, for a headless browser.
(function () {
  'use strict';
  var status = document.getElementById('tpb-status');
  var errors = [];
  window.addEventListener('error', function (e) {
    errors.push(String(e.message));
    status.setAttribute('data-errors', errors.join(' | '));
  });
  var data = JSON.parse(document.getElementById('tpb-data').textContent);
  var trials = data.gated.map(function (g) { return g.trial; });
  var el = document.getElementById('tpb-gate');
  el.style.height = Math.max(240, 60 + 36 * trials.length) + 'px';
  var chart = echarts.init(el, null, { renderer: 'canvas' });
  chart.setOption({
    animation: false,
    grid: { left: 320, right: 40, top: 30, bottom: 40 },
    tooltip: { trigger: 'item' },
    legend: { data: ['change', '95 % interval'] },
    xAxis: { type: 'value', name: 'change, % of base', nameLocation: 'middle', nameGap: 26 },
    // a trial's name wraps inside the 320 px left of the plot rather than running off the page's edge
    yAxis: { type: 'category', data: trials, inverse: true, axisLabel: { width: 300, overflow: 'break', lineHeight: 16 } },
    series: [
      {
        name: '95 % interval', type: 'custom',
        renderItem: function (params, api) {
          var a = api.coord([api.value(1), api.value(0)]);
          var b = api.coord([api.value(2), api.value(0)]);
          var h = api.size([0, 1])[1] * 0.3;
          return { type: 'rect', shape: { x: a[0], y: a[1] - h / 2, width: Math.max(1, b[0] - a[0]), height: h },
                   style: api.style({ fill: 'rgba(84,112,198,0.35)' }) };
        },
        encode: { x: [1, 2], y: 0 },
        data: data.gated.filter(function (g) { return g.low !== undefined; })
          .map(function (g) { return [g.trial, g.low, g.high]; })
      },
      {
        name: 'change', type: 'scatter', symbolSize: 10,
        data: data.gated.map(function (g) { return [g.change, g.trial, g.verdict]; }),
        itemStyle: { color: function (p) { return p.value[2] === 'worse' ? '#a40e26' : p.value[2] === 'better' ? '#1a7f37' : '#55606b'; } },
        markLine: { symbol: 'none', lineStyle: { type: 'dashed' }, label: { formatter: '{c} %' },
                    data: [{ xAxis: data.threshold }, { xAxis: -data.threshold }, { xAxis: 0, lineStyle: { type: 'solid' } }] }
      }
    ]
  });
  var points = chart.getOption().series[1].data.length;
  status.setAttribute('data-charts', '1');
  status.setAttribute('data-empty-charts', points > 0 ? '0' : '1');
  status.setAttribute('data-ready', String(errors.length === 0 && points > 0));
})();
