// Draws a Plotly figure with Plotly's basic bundle (bar and scatter traces, ~1.2 MB), loaded once per
// browser tab from the console's static folder (its URL comes from lib/plotly_bundle.py). Streamlit's
// own Plotly element loads the full 4.7 MB bundle in every new tab, which costs a second or more
// before the first chart shows.
function plotlyLoaded(bundle) {
  if (!window.__badgeConsolePlotly) {
    window.__badgeConsolePlotly = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = new URL(bundle, document.baseURI).href;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => {
        window.__badgeConsolePlotly = undefined;
        reject(new Error("the chart library did not load"));
      };
      document.head.appendChild(script);
    });
  }
  return window.__badgeConsolePlotly;
}

// Charts are drawn one at a time, the highest on the page first, each in its own task: the browser
// shows each chart as soon as it is drawn instead of after every chart of the page (a chart costs the
// browser about a tenth of a second here, mostly measuring its labels).
// One queue per tab, whichever copy of this module a chart was mounted by.
const queue = (window.__badgeConsoleDraws = window.__badgeConsoleDraws || { pending: [], drawing: false });

function drawSoon(chart, draw) {
  const { pending } = queue;
  const waiting = pending.findIndex((job) => job.chart === chart);
  if (waiting >= 0) pending.splice(waiting, 1);  // a newer figure for the same chart replaces it
  pending.push({ chart, draw });
  if (!queue.drawing) {
    queue.drawing = true;
    setTimeout(drawNext, 0);
  }
}

function drawNext() {
  const { pending } = queue;
  if (!pending.length) {
    queue.drawing = false;
    if (queue.drawn) window.dispatchEvent(new Event("badge-console-charts-drawn"));
    return;
  }
  const top = (job) => (job.chart.isConnected ? job.chart.getBoundingClientRect().top : Infinity);
  pending.sort((a, b) => top(a) - top(b));
  const job = pending.shift();
  Promise.resolve()
    .then(job.draw)
    .catch(() => {})
    .finally(() => {
      queue.drawn = true;
      setTimeout(drawNext, 0);
    });
}

// lib/ui/plotly_chart.rerun_after_charts: call `then` once the tab's charts are drawn and painted
// (or after `latest` ms, whatever happens to them).
function afterCharts(then, latest) {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    requestAnimationFrame(() => setTimeout(then, 0));  // after the frame that shows them
  };
  if (queue.drawn && !queue.drawing) once();
  else window.addEventListener("badge-console-charts-drawn", once, { once: true });
  setTimeout(once, latest);
}

function pointOf(point) {
  return { customdata: point.customdata ?? null, x: point.x ?? null, y: point.y ?? null,
           curve: point.curveNumber, index: point.pointIndex ?? point.pointNumber ?? null };
}

function pageTone(element) {
  // Light text on the page means Streamlit's dark theme.
  const rgb = (getComputedStyle(element).color.match(/\d+(\.\d+)?/g) || [0, 0, 0]).map(Number);
  return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] > 140 ? "dark" : "light";
}

export default function (component) {
  const { parentElement, data, setTriggerValue } = component;
  if (data.loadOnly) {  // lib/ui/plotly_chart.load_chart_library: start the download, draw nothing
    plotlyLoaded(data.bundle).catch(() => {});
    return;
  }
  if (data.afterCharts) {
    afterCharts(() => {
      if (parentElement.isConnected) setTriggerValue("drawn", true);
    }, 3000);
    return;
  }
  const chart = parentElement.querySelector(".badge-console-chart");
  const figure = JSON.parse(data.figure);
  const layout = Object.assign({}, figure.layout, { template: data.templates[pageTone(parentElement)], autosize: true });
  chart.style.height = `${layout.height || 450}px`;
  const draw = () => plotlyLoaded(data.bundle)
    .then((Plotly) => Plotly.react(chart, figure.data, layout, Object.assign({ responsive: true, displaylogo: false }, data.config)))
    .then(() => {
      if (chart.removeAllListeners) chart.removeAllListeners("plotly_click");
      if (data.clicks) chart.on("plotly_click", (event) => setTriggerValue("click", pointOf(event.points[0])));
      if (!chart.__badgeConsoleResize && window.ResizeObserver) {
        chart.__badgeConsoleResize = new ResizeObserver(() => window.Plotly.Plots.resize(chart));
        chart.__badgeConsoleResize.observe(chart);
      }
    })
    .catch((error) => { chart.textContent = `Chart not drawn: ${error.message}.`; });
  plotlyLoaded(data.bundle).then(() => drawSoon(chart, draw), () => draw());
}
