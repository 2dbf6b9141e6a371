// Draws report.html's charts with Apache ECharts from the JSON block the generator wrote; the
// tables already hold every number. Sets #tpb-status's data-* attributes when done, so a headless
// browser can check that every chart got data and which trials the frontier holds.
(function () {
  'use strict';
  var status = document.getElementById('tpb-status');
  var errors = [];
  window.addEventListener('error', function (e) {
    errors.push(String(e.message));
    status.setAttribute('data-errors', errors.join(' | '));
  });
  var data = JSON.parse(document.getElementById('tpb-data').textContent);
  // Display only: a long series is drawn decimated (LTTB for lines, ECharts' large mode for points);
  // the tables and the JSON keep every value.
  var LARGE = 2000;
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
  function labelName(label, estimated) {
    return estimated ? label + ' (estimated)' : label;
  }
  function yName(rows) {
    var est = rows.filter(function (r) { return r.estimated; }).length;
    return 'J/outputToken' + (est === rows.length && est > 0 ? ' (estimated)' : est > 0 ? ' (estimated where marked)' : '');
  }
  function ordered(values) {
    var numeric = values.every(function (v) { return v !== '' && !isNaN(Number(v)); });
    return values.slice().sort(numeric ? function (a, b) { return Number(a) - Number(b); } : undefined);
  }
  function tooltipRow(r) {
    var ci = r.ciLow !== undefined ? '<br>iterations\' 95 % CI [' + fmt(r.ciLow) + ', ' + fmt(r.ciHigh) + ']' : '';
    var budget = r.jOutBudget !== undefined ? ' ± ' + fmt(r.jOutBudget) + ' (95 %)<br>' + esc(r.jOutBudgetTerms) : '';
    return esc(r.trial) + '<br>' + esc(labelName(r.label, r.estimated)) + ': ' + fmt(r.jOut) + ' J/outputToken' + budget +
      ci + (r.tpot !== undefined ? '<br>TPOT p50 ' + fmt(r.tpot) + ' ms' : '') +
      (r.warned ? '<br>⚠ see the warnings' : '');
  }
  function draw(el, option, points) {
    var chart = echarts.init(el, null, { renderer: 'canvas' });
    option.animation = false;
    chart.setOption(option);
    charts.push({ chart: chart, points: points });
    return chart;
  }

  // J/outputToken against each swept axis: one series per energy label and value of the other swept axes
  var chartEls = document.querySelectorAll('.chart[data-axis]');
  Array.prototype.forEach.call(chartEls, function (el) {
    var axis = el.getAttribute('data-axis');
    var others = data.swept.filter(function (a) { return a !== axis; });
    var xs = ordered(Array.from(new Set(data.rows.map(function (r) { return r.params[axis]; }))));
    var groups = {};
    data.rows.forEach(function (r) {
      var key = labelName(r.label, r.estimated) + others.map(function (a) { return ' ' + a + '=' + r.params[a]; }).join('');
      (groups[key] = groups[key] || []).push(r);
    });
    var series = Object.keys(groups).map(function (key) {
      var byX = {};
      groups[key].forEach(function (r) { byX[r.params[axis]] = r; });
      return {
        name: key, type: 'line', connectNulls: true, showSymbol: true, sampling: 'lttb',
        data: xs.map(function (x) { var r = byX[x]; return r ? { value: r.jOut, row: r } : null; })
      };
    });
    var points = series.reduce(function (n, s) { return n + s.data.filter(function (d) { return d; }).length; }, 0);
    draw(el, {
      title: { text: 'J/outputToken by ' + axis, left: 'center', textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'item', formatter: function (p) { return p.data && p.data.row ? tooltipRow(p.data.row) : ''; } },
      legend: { type: 'scroll', bottom: 0 },
      grid: { left: 70, right: 30, top: 40, bottom: 60 },
      xAxis: { type: 'category', name: axis, nameLocation: 'middle', nameGap: 28, data: xs },
      yAxis: { type: 'value', name: yName(data.rows), nameLocation: 'middle', nameGap: 52, scale: true },
      series: series
    }, points);
  });

  // The latency–energy plane, the frontier per energy label
  var plane = document.getElementById('tpb-plane');
  var withTpot = data.rows.filter(function (r) { return r.tpot !== undefined; });
  var labels = Array.from(new Set(withTpot.map(function (r) { return labelName(r.label, r.estimated); })));
  var planeSeries = [];
  var frontier = [];
  labels.forEach(function (name) {
    var rows = withTpot.filter(function (r) { return labelName(r.label, r.estimated) === name; });
    planeSeries.push({
      name: name, type: 'scatter', symbolSize: 9, large: rows.length > LARGE, largeThreshold: LARGE,
      data: rows.map(function (r) { return { value: [r.tpot, r.jOut], row: r }; })
    });
    var front = rows.filter(function (r) { return r.pareto; }).sort(function (a, b) { return a.tpot - b.tpot; });
    front.forEach(function (r) { frontier.push(r.trial); });
    planeSeries.push({
      name: 'Pareto frontier: ' + name, type: 'line', symbol: 'diamond', symbolSize: 14, z: 3,
      lineStyle: { type: 'dashed', width: 2 },
      data: front.map(function (r) { return { value: [r.tpot, r.jOut], row: r }; })
    });
  });
  var planePoints = planeSeries.reduce(function (n, s) { return n + s.data.length; }, 0);
  draw(plane, {
    title: { text: 'TPOT p50 against J/outputToken', left: 'center', textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'item', formatter: function (p) { return p.data && p.data.row ? tooltipRow(p.data.row) : ''; } },
    legend: { type: 'scroll', bottom: 0 },
    grid: { left: 70, right: 30, top: 40, bottom: 60 },
    xAxis: { type: 'value', name: 'TPOT p50 (ms)', nameLocation: 'middle', nameGap: 28, scale: true },
    yAxis: { type: 'value', name: yName(withTpot), nameLocation: 'middle', nameGap: 52, scale: true },
    series: planeSeries
  }, planePoints);

  window.addEventListener('resize', function () { charts.forEach(function (c) { c.chart.resize(); }); });
  var empty = charts.filter(function (c) { return c.points === 0; }).length;
  status.setAttribute('data-charts', String(charts.length));
  status.setAttribute('data-empty-charts', String(empty));
  status.setAttribute('data-pareto', frontier.join(' | '));
  status.setAttribute('data-ready', String(errors.length === 0 && empty === 0));
})();
