// The latency distributions of report.html: TTFT and TPOT per trial as empirical distribution
// functions, ITL as each trial's per-wave summaries (the run folder keeps no per-token gaps).
// Sets #tpb-status's data-latency-* attributes for a headless browser to check.
(function () {
  'use strict';
  var status = document.getElementById('tpb-status');
  var block = document.getElementById('tpb-latency');
  if (!block) {
    return;
  }
  var data = JSON.parse(block.textContent);
  var charts = [];
  // Text from the run (a trial's parameters, a sensor's name) goes into tooltips that ECharts renders
  // as HTML: escaped, so that a parameter value can never become markup or a script.
  function esc(v) {
    return String(v).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function fmt(v) {
    return v === undefined || v === null ? '–' : Number(v).toPrecision(4);
  }
  function ecdfChart(id, key, title) {
    var el = document.getElementById(id);
    var chart = echarts.init(el, null, { renderer: 'canvas' });
    var series = data.trials.filter(function (t) { return t[key].length > 0; }).map(function (t) {
      return { name: t.name, type: 'line', step: 'end', showSymbol: t[key].length <= 50, data: t[key] };
    });
    chart.setOption({
      animation: false,
      title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'item', formatter: function (p) {
        return esc(p.seriesName) + '<br>' + fmt(p.value[0]) + ' ms: ' + fmt(p.value[1] * 100) + ' % of requests at or below';
      } },
      legend: { type: 'scroll', bottom: 0 },
      grid: { left: 70, right: 30, top: 40, bottom: 60 },
      xAxis: { type: 'value', name: key.toUpperCase() + ' (ms)', nameLocation: 'middle', nameGap: 28, scale: true },
      yAxis: { type: 'value', name: 'share of requests', nameLocation: 'middle', nameGap: 52, min: 0, max: 1 },
      series: series
    });
    charts.push(chart);
    return series.reduce(function (n, s) { return n + s.data.length; }, 0);
  }
  var ttft = ecdfChart('tpb-ttft', 'ttft', 'TTFT: share of requests at or below');
  var tpot = ecdfChart('tpb-tpot', 'tpot', 'TPOT: share of requests at or below');

  var stats = ['p50', 'p90', 'p99', 'max'];
  var withItl = data.trials.filter(function (t) { return t.itl.waves > 0; });
  var itlChart = echarts.init(document.getElementById('tpb-itl'), null, { renderer: 'canvas' });
  var itlSeries = stats.map(function (s) {
    return {
      name: 'ITL ' + s, type: 'bar',
      data: withItl.map(function (t) {
        var v = t.itl[s];
        return v ? { value: v.mean, low: v.min, high: v.max, waves: t.itl.waves } : null;
      })
    };
  });
  itlChart.setOption({
    animation: false,
    title: { text: 'ITL: mean over the measured waves of each wave\'s summary', left: 'center', textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'item', formatter: function (p) {
      return esc(p.name) + '<br>' + esc(p.seriesName) + ': ' + fmt(p.data.value) + ' ms (waves from ' + fmt(p.data.low) + ' to ' +
        fmt(p.data.high) + ', ' + p.data.waves + ' waves)';
    } },
    legend: { bottom: 0 },
    grid: { left: 70, right: 30, top: 40, bottom: 60 },
    xAxis: { type: 'category', data: withItl.map(function (t) { return t.name; }) },
    yAxis: { type: 'value', name: 'ms', nameLocation: 'middle', nameGap: 52 },
    series: itlSeries
  });
  charts.push(itlChart);
  var itl = itlSeries.reduce(function (n, s) { return n + s.data.filter(function (d) { return d; }).length; }, 0);
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
  status.setAttribute('data-latency-ttft-points', String(ttft));
  status.setAttribute('data-latency-tpot-points', String(tpot));
  status.setAttribute('data-latency-itl-bars', String(itl));
})();
