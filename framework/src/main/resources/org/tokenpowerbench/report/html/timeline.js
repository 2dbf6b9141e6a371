// The wave view of report.html: one wave at a time, its figures parsed from their own JSON block
// only when it is chosen (big runs open fast). Power per sensor on top, the attribution's
// prefill / decode / idle split of it in the middle, every request as a bar below, one clock.
// Sets #tpb-status's data-timeline-* attributes for a headless browser to check.
(function () {
  'use strict';
  var status = document.getElementById('tpb-status');
  var head = document.getElementById('tpb-waves');
  var el = document.getElementById('tpb-timeline');
  if (!head || !el) {
    return;
  }
  var index = JSON.parse(head.textContent);
  var waves = index.waves;
  var trialSelect = document.getElementById('tpb-wave-trial');
  var iterationSelect = document.getElementById('tpb-wave-iteration');
  var facts = document.getElementById('tpb-wave-facts');
  var chart = echarts.init(el, null, { renderer: 'canvas' });
  window.addEventListener('resize', function () { chart.resize(); });
  var COLORS = { queue: '#c3c9d0', prefill: '#e8a33d', decode: '#3b7dd8', idle: '#b8c2cc', failed: '#c62828' };

  // Text from the run (a trial's parameters, a sensor's name) goes into tooltips that ECharts renders
  // as HTML: escaped, so that a parameter value can never become markup or a script.
  function esc(v) {
    return String(v).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function fmt(v, digits) {
    return v === undefined || v === null ? '–' : Number(v).toPrecision(digits || 4);
  }
  function option(o) {
    var e = document.createElement('option');
    e.value = o.value;
    e.textContent = o.text;
    return e;
  }
  var trials = [];
  waves.forEach(function (w) { if (trials.indexOf(w.trial) < 0) { trials.push(w.trial); } });
  trials.forEach(function (t) { trialSelect.appendChild(option({ value: t, text: t })); });

  function fillIterations(trial, chosen) {
    iterationSelect.innerHTML = '';
    var names = {};
    waves.forEach(function (w, i) {
      if (w.trial !== trial) { return; }
      names[w.iteration] = (names[w.iteration] || 0) + 1;
      var text = w.iteration + (names[w.iteration] > 1 ? ' (fork ' + names[w.iteration] + ')' : '') +
        ' · ' + w.requests + ' requests · ' + w.invocation;
      iterationSelect.appendChild(option({ value: String(i), text: text }));
      if (chosen === undefined || chosen < 0) { iterationSelect.value = String(i); }
    });
    if (chosen !== undefined && chosen >= 0) { iterationSelect.value = String(chosen); }
  }

  function bars(rows) {
    return {
      // progressive: 0 draws every bar in one pass; ECharts' progressive passes never finish under
      // headless Chromium's virtual time (10k bars), and a reader's browser draws 10k rects in one pass fine
      name: 'requests', type: 'custom', progressive: 0, xAxisIndex: 2, yAxisIndex: 2, itemStyle: { color: COLORS.decode },
      encode: { x: [1, 2], y: 0 },
      data: rows.map(function (r) {
        var start = r[1] !== null ? r[1] : r[2];
        var end = r[4] !== null ? r[4] : r[3] !== null ? r[3] : r[2];
        return [r[0], start, end];
      }),
      renderItem: function (params, api) {
        var r = rows[params.dataIndex];
        var cs = params.coordSys;
        var h = Math.max(1, api.size([0, 1])[1] * 0.8);
        function rect(from, to, color) {
          if (from === null || to === null) { return null; }
          var a = api.coord([from, r[0]]);
          var b = api.coord([to, r[0]]);
          var shape = echarts.graphic.clipRectByRect(
            { x: a[0], y: a[1] - h / 2, width: Math.max(b[0] - a[0], 1), height: h },
            { x: cs.x, y: cs.y, width: cs.width, height: cs.height });
          return shape ? { type: 'rect', shape: shape, style: { fill: color } } : null;
        }
        var failed = r[5] === 1;
        var prefillEnd = r[3] !== null ? r[3] : r[4] !== null ? r[4] : r[2];
        var children = [
          r[1] !== null && r[2] !== null && r[2] > r[1] ? rect(r[1], r[2], COLORS.queue) : null,
          rect(r[2], prefillEnd, failed ? COLORS.failed : COLORS.prefill),
          r[3] !== null && r[4] !== null ? rect(r[3], r[4], failed ? COLORS.failed : COLORS.decode) : null
        ].filter(function (c) { return c; });
        return { type: 'group', children: children };
      },
      tooltip: {
        formatter: function (p) {
          var r = rows[p.dataIndex];
          function ms(a, b) { return a === null || b === null ? '–' : fmt((b - a) * 1000) + ' ms'; }
          return 'request ' + r[0] + (r[5] === 1 ? ' (failed)' : '') + '<br>queue ' + ms(r[1], r[2]) +
            '<br>prefill (TTFT) ' + ms(r[2], r[3]) + '<br>decode ' + ms(r[3], r[4]);
        }
      }
    };
  }

  function show(i) {
    var entry = waves[i];
    var wave = JSON.parse(document.getElementById(entry.id).textContent);
    var power = wave.power || [];
    var shares = wave.shares || [];
    var series = [];
    var selected = {};
    power.forEach(function (p) {
      series.push({
        name: p.sensor + ' W', type: 'line', xAxisIndex: 0, yAxisIndex: 0, showSymbol: false,
        step: p.decimated ? false : 'start', lineStyle: { width: 1 }, data: p.points
      });
    });
    // Stacked by hand (prefill at the bottom, then decode, then idle), each band filled down to
    // zero and drawn under the one before: ECharts stacks on the x axis when both axes are values.
    shares.forEach(function (s, k) {
      [['prefill', 1], ['decode', 2], ['idle', 3]].forEach(function (part, level) {
        var name = s.sensor + ' ' + part[0] + ' W';
        selected[name] = k === 0;
        series.push({
          name: name, type: 'line', xAxisIndex: 1, yAxisIndex: 1, showSymbol: false, z: 10 - level,
          lineStyle: { width: 0 }, areaStyle: { opacity: 1, color: COLORS[part[0]] },
          itemStyle: { color: COLORS[part[0]] },
          data: s.buckets.map(function (b) {
            var top = 0;
            for (var j = 1; j <= part[1]; j++) { top += b[j]; }
            return { value: [b[0], top], watts: b[part[1]] };
          })
        });
      });
    });
    series.push(bars(wave.requests));
    var maxT = 0;
    var minT = 0;
    wave.requests.forEach(function (r) {
      [1, 2, 3, 4].forEach(function (k) {
        if (r[k] !== null) { maxT = Math.max(maxT, r[k]); minT = Math.min(minT, r[k]); }
      });
    });
    var pad = Math.max((maxT - minT) * 0.05, 0.001);
    var xRange = { min: minT - pad, max: maxT + pad };
    var axes = [0, 1, 2].map(function (k) {
      return {
        type: 'value', gridIndex: k, min: xRange.min, max: xRange.max, name: k === 2 ? 's after the first send' : '',
        nameLocation: 'middle', nameGap: 24, axisLabel: { show: k === 2 }
      };
    });
    chart.setOption({
      animation: false,
      title: { text: entry.trial + ' · ' + entry.iteration, left: 'center', textStyle: { fontSize: 13 } },
      tooltip: {
        trigger: 'axis', axisPointer: { type: 'line' },
        formatter: function (items) {
          return items.filter(function (p) { return p.seriesType === 'line'; }).map(function (p) {
            var w = p.data && p.data.watts !== undefined ? p.data.watts : p.value[1];
            return p.marker + esc(p.seriesName) + ': ' + fmt(w) + ' W';
          }).join('<br>') || '';
        }
      },
      axisPointer: { link: [{ xAxisIndex: 'all' }] },
      legend: { type: 'scroll', top: 22, selected: selected },
      grid: [
        { left: 70, right: 30, top: 60, height: '24%' },
        { left: 70, right: 30, top: '36%', height: '16%' },
        { left: 70, right: 30, top: '56%', bottom: 80 }
      ],
      xAxis: axes,
      yAxis: [
        { type: 'value', gridIndex: 0, name: 'W', nameLocation: 'middle', nameGap: 48, scale: true },
        { type: 'value', gridIndex: 1, name: 'W by phase', nameLocation: 'middle', nameGap: 48 },
        { type: 'value', gridIndex: 2, name: 'request', nameLocation: 'middle', nameGap: 48, inverse: true,
          min: -0.5, max: Math.max(0, wave.requests.length - 0.5), minInterval: 1 }
      ],
      dataZoom: [
        { type: 'inside', xAxisIndex: [0, 1, 2], filterMode: 'none' },
        { type: 'slider', xAxisIndex: [0, 1, 2], filterMode: 'none', bottom: 10 }
      ],
      series: series
    }, true);

    facts.innerHTML = '';
    var failed = wave.requests.filter(function (r) { return r[5] === 1; }).length;
    var line = document.createElement('div');
    line.textContent = wave.requests.length + ' requests' + (failed ? ' (' + failed + ' failed)' : '') + '; ' +
      (power.length === 0 ? 'no power trace for this wave (no power profiler, or its file is missing)' :
        power.map(function (p) {
          return p.sensor + ': ' + p.samples + ' samples' + (p.decimated ? ' (' + p.points.length +
            ' drawn: lowest and highest per bucket)' : '');
        }).join('; ')) + '.';
    facts.appendChild(line);
    (wave.energy || []).forEach(function (e) {
      var d = document.createElement('div');
      d.textContent = e.sensor + ' (' + e.method + '): ' + fmt(e.energyJ) + ' J over ' + fmt(e.seconds) +
        ' s; attributed (' + e.policy + ') prefill ' + fmt(e.prefillJ) + ' J, decode ' + fmt(e.decodeJ) +
        ' J, idle ' + fmt(e.idleJ) + ' J.';
      facts.appendChild(d);
    });
    (wave.warnings || []).forEach(function (w) {
      var d = document.createElement('div');
      d.className = 'warn';
      d.textContent = '⚠ ' + w;
      facts.appendChild(d);
    });

    var span = 0;
    wave.requests.forEach(function (r) {
      if (r[1] !== null && r[4] !== null) { span += (r[4] - r[1]) * 1000; }
    });
    var drawn = chart.getOption().series;
    var barCount = drawn[drawn.length - 1].data.length;
    status.setAttribute('data-timeline-wave', entry.trial + ' | ' + entry.iteration);
    status.setAttribute('data-timeline-bars', String(barCount));
    status.setAttribute('data-timeline-span-ms', span.toFixed(3));
    status.setAttribute('data-timeline-power-points', String(power.reduce(function (n, p) { return n + p.points.length; }, 0)));
    status.setAttribute('data-timeline-share-points', String(shares.reduce(function (n, s) { return n + s.buckets.length; }, 0)));
  }

  trialSelect.addEventListener('change', function () {
    fillIterations(trialSelect.value);
    show(Number(iterationSelect.value));
  });
  iterationSelect.addEventListener('change', function () { show(Number(iterationSelect.value)); });
  var start = index.chosen;
  var hash = /#wave=(\d+)/.exec(window.location.hash);
  if (hash && Number(hash[1]) < waves.length) {
    start = Number(hash[1]);
  }
  trialSelect.value = waves[start].trial;
  fillIterations(waves[start].trial, start);
  show(start);
})();
