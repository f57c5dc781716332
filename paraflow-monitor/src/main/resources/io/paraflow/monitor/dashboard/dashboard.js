'use strict';
// Polls the dashboard's JSON endpoints every second and redraws the page. No framework: the page is small.

const $ = id => document.getElementById(id);

function text(value) {
  return value === null || value === undefined ? '' : String(value);
}

/** Where the message of a command's failure or timeout quotes its last lines (CommandOutput.sections() in the core). */
const TAILS = '\n--- last lines of ';

/** The message up to the last lines it quotes, which a task's page shows in blocks of their own. */
function withoutTails(message) {
  const at = text(message).indexOf(TAILS);
  return at < 0 ? text(message) : text(message).slice(0, at);
}

function cell(row, value, className) {
  const td = row.insertCell();
  td.textContent = text(value);
  if (className) td.className = className;
  return td;
}

function fill(tableId, rows, draw) {
  const body = $(tableId).tBodies[0];
  body.replaceChildren();
  for (const row of rows) draw(body.insertRow(), row);
}

async function json(url) {
  const response = await fetch(url, {cache: 'no-store'});
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}

function drawSeries(series) {
  const svg = $('series');
  svg.replaceChildren();
  if (series.length < 2) return;
  const tMax = Math.max(series[series.length - 1].t, 1e-9);
  const yMax = Math.max(1, ...series.map(p => p.submitted));
  for (const [key, colour] of [['submitted', '#9e9e9e'], ['waiting', '#bdbdbd'], ['finished', '#2e7d32'], ['running', '#1565c0'],
      ['failed', '#c62828'], ['cancelled', '#616161']]) {
    const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
    line.setAttribute('points', series.map(p => `${(p.t / tMax * 600).toFixed(1)},${(118 - p[key] / yMax * 116).toFixed(1)}`).join(' '));
    line.setAttribute('fill', 'none');
    line.setAttribute('stroke', colour);
    line.setAttribute('stroke-width', '1.5');
    svg.appendChild(line);
  }
}

let previousCounts = null;

/** "used of max MiB", or "used MiB" where the maximum is unknown (worker processes have none recorded). */
function memory(used, max) {
  if (used === null) return '';
  const mib = bytes => (bytes / 1048576).toFixed(0);
  return max === null ? mib(used) + ' MiB' : mib(used) + ' of ' + mib(max) + ' MiB';
}

async function refreshOverview() {
  const overview = await json('api/overview');
  const run = overview.run;
  runEnded = !!run.outcome;
  $('run-name').textContent = run.name || ('flow ' + run.flowId);
  $('run-state').textContent = run.outcome
      ? `ended: ${run.outcome}, after ${((run.endedMs - run.startedMs) / 1000).toFixed(1)} s`
      : `running on ${run.host} (pid ${run.pid}) since ${new Date(run.startedMs).toLocaleTimeString()}`;
  if (overview.recordingStopped) {
    $('run-state').textContent += `; the monitor stopped writing the run's database (${overview.recordingStopped}):`
        + ' what this page shows stops there, the run goes on';
  }
  $('run-state').className = overview.recordingStopped ? 'error' : '';
  const counts = overview.counts || {submitted: 0, waiting: 0, running: 0, finished: 0, failed: 0, cancelled: 0};
  for (const key of ['submitted', 'waiting', 'running', 'finished', 'failed', 'cancelled']) {
    $('count-' + key).textContent = text(counts[key]);
  }
  // while the run goes on, the rate between two polls; once it ended (or before a second poll), its average
  const ended = c => c.finished + c.failed + c.cancelled;
  if (!run.outcome && previousCounts && counts.atMs > previousCounts.atMs) {
    $('throughput').textContent = ((ended(counts) - ended(previousCounts)) * 1000 / (counts.atMs - previousCounts.atMs)).toFixed(1);
  } else if (counts.averagePerSecond !== undefined && (run.outcome || !previousCounts)) {
    $('throughput').textContent = counts.averagePerSecond.toFixed(1) + (run.outcome ? ' (average)' : '');
  }
  previousCounts = counts;
  drawSeries(overview.series);
  fill('workers', overview.workers, (row, w) => {
    cell(row, w.worker);
    cell(row, w.busy === null ? '' : w.busy.toFixed(2));
    cell(row, w.cpuLoad === null ? '' : w.cpuLoad.toFixed(2));
    cell(row, w.cpuMs === null ? '' : (w.cpuMs / 1000).toFixed(1) + ' s');
    cell(row, memory(w.memoryUsed, w.memoryMax));
  });
}

const SVG = 'http://www.w3.org/2000/svg';

function svgElement(parent, tag, attributes, title) {
  const element = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  if (title) {
    const tooltip = document.createElementNS(SVG, 'title');
    tooltip.textContent = title;
    element.appendChild(tooltip);
  }
  parent.appendChild(element);
  return element;
}

/**
 * Gives each try a row of its worker: the first of the worker's rows free at the try's start, a new one if
 * none is ("worker", "worker #2", ...), since a worker may run several tries at once (a cluster member, a
 * worker process with several cores). Returns the rows' names, in order, and each try's row index.
 */
function timelineRows(tries, endOf) {
  const byWorker = new Map();
  for (const t of [...tries].sort((a, b) => a.startMs - b.startMs)) {
    if (!byWorker.has(t.worker)) byWorker.set(t.worker, []);
    byWorker.get(t.worker).push(t);
  }
  const names = [], rowOf = new Map();
  for (const worker of [...byWorker.keys()].sort()) {
    const freeFrom = [];
    for (const t of byWorker.get(worker)) {
      let row = freeFrom.findIndex(end => end <= t.startMs);
      if (row < 0) {
        row = freeFrom.length;
        freeFrom.push(0);
        names.push(row === 0 ? text(worker) : `${text(worker)} #${row + 1}`);
      }
      freeFrom[row] = endOf(t);
      rowOf.set(t, names.length - freeFrom.length + row);
    }
  }
  return {names, rowOf};
}

async function refreshTimeline() {
  const tries = await json('api/timeline?limit=2000');
  const svg = $('timeline');
  svg.replaceChildren();
  if (!tries.length) return;
  const now = Math.max(...tries.map(t => t.endMs === null ? t.startMs : t.endMs));
  const endOf = t => t.endMs === null ? now : t.endMs;
  const {names, rowOf} = timelineRows(tries, endOf);
  const from = Math.min(...tries.map(t => t.startMs));
  const span = Math.max(now - from, 1e-3);
  const rowHeight = 18, left = 150, width = 900 - left - 5;
  svg.setAttribute('viewBox', `0 0 900 ${names.length * rowHeight + 4}`);
  names.forEach((name, i) => svgElement(svg, 'text', {x: 2, y: i * rowHeight + 13}).textContent = name);
  for (const t of tries) {
    const end = endOf(t);
    const x = left + (t.startMs - from) / span * width;
    svgElement(svg, 'rect', {
      x: x.toFixed(1), y: rowOf.get(t) * rowHeight + 3, height: rowHeight - 6,
      width: Math.max(1, (end - t.startMs) / span * width).toFixed(1), class: 'outcome-' + t.outcome,
    }, `${t.name} #${t.id} attempt ${t.attempt}: ${t.outcome}, ${(end - t.startMs).toFixed(2)} ms`)
        .addEventListener('click', () => showTask(t.id));
  }
}

/** How many of a group's tasks are in each state, those of none left out: "5 finished, 1 running, 34 waiting". */
function stateCounts(node) {
  return ['finished', 'running', 'waiting', 'failed', 'cancelled'].filter(state => node[state] > 0)
      .map(state => `${node[state]} ${state}`).join(', ');
}

/** Lays the graph out in columns by depth (longest path from a task without inputs), then draws it. */
async function refreshGraph() {
  const graph = await json('api/graph');
  const svg = $('graph');
  svg.replaceChildren();
  $('graph-note').textContent = !graph.grouped ? ''
      : (graph.trimmed ? '(grouped by task name without its trailing number: too many tasks and names to draw one by one)'
          : '(grouped by task name: too many tasks to draw one by one)')
        + (graph.leftOutGroups ? `; not drawn: ${graph.leftOutGroups} smaller group(s) of ${graph.leftOutTasks} task(s)` : '');
  const n = graph.nodes.length;
  if (!n) return;
  // nodes come in order of first submission, and a task can only take earlier tasks as inputs: an edge back
  // (between groups of a grouped graph, e.g. iter* -> merge* -> iter*) closes a cycle and does not set depths
  const depth = new Array(n).fill(0);
  for (let round = 0, changed = true; changed && round < n; round++) {
    changed = false;
    for (const [from, to] of graph.edges) {
      if (from < to && depth[to] < depth[from] + 1) { depth[to] = depth[from] + 1; changed = true; }
    }
  }
  const columns = [];
  graph.nodes.forEach((node, i) => (columns[depth[i]] = columns[depth[i]] || []).push(i));
  const columnWidth = graph.grouped ? 160 : 110, rowHeight = graph.grouped ? 40 : 22;
  const position = new Array(n);
  columns.forEach((column, c) => column.forEach((i, r) => position[i] = [10 + c * columnWidth, 10 + r * rowHeight]));
  const height = 20 + Math.max(...columns.map(column => column.length)) * rowHeight;
  const width = Math.max(900, 20 + columns.length * columnWidth);
  // drawn at its own size in a box of bounded height that scrolls, rather than scaled to the page's width
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('width', width);
  svg.setAttribute('height', height);
  for (const [from, to, count] of graph.edges) {
    if (from === to) continue;
    const [x1, y1] = position[from], [x2, y2] = position[to];
    svgElement(svg, 'line', {x1: x1 + columnWidth - 20, y1: y1 + 8, x2: x2, y2: y2 + 8, stroke: '#999'},
        graph.grouped ? `${count} dependencies` : null);
  }
  graph.nodes.forEach((node, i) => {
    const [x, y] = position[i];
    const label = graph.grouped ? `${node.name} (${node.tasks})` : `${node.name} #${node.key}`;
    // a group's state is its most telling one (failed, else running, else waiting...); the title gives the counts
    const title = graph.grouped ? `${node.name}: ${node.tasks} task(s): ${stateCounts(node)}` : `${label}: ${node.state}`;
    const box = svgElement(svg, 'rect', {x, y, width: columnWidth - 20, height: 16, rx: 3, class: 'outcome-' + node.state}, title);
    const ended = node.finished + node.failed + node.cancelled;
    if (graph.grouped && ended < node.tasks) {
      // how far an unfinished group got: a bar as wide as its ended tasks' share
      svgElement(svg, 'rect', {x, y: y + 13, width: ((columnWidth - 20) * ended / node.tasks).toFixed(1), height: 3,
        class: 'ended-share'}, title);
    }
    svgElement(svg, 'text', {x: x + 3, y: y + 12}).textContent = label.length > 18 ? label.slice(0, 17) + '…' : label;
    if (!graph.grouped) box.addEventListener('click', () => showTask(node.key));
  });
}

function taskRow(row, id) {
  row.className = 'clickable';
  row.addEventListener('click', () => showTask(id));
}

async function refreshFailures() {
  fill('failures', await json('api/failures'), (row, f) => {
    taskRow(row, f.id);
    cell(row, `${f.name} #${f.id}`);
    cell(row, f.attempt);
    cell(row, f.worker);
    // a message may quote such lines without being a command's (a user's exception wrapping one's message)
    cell(row, `${f.type}: ${f.hasTails ? withoutTails(f.message) : text(f.message)}`, 'error');
  });
}

async function refreshTasks() {
  const query = new URLSearchParams({state: $('state-filter').value, name: $('name-filter').value, limit: 200});
  fill('tasks', await json('api/tasks?' + query), (row, t) => {
    taskRow(row, t.id);
    cell(row, `${t.name} #${t.id}`);
    cell(row, t.state, t.state === 'failed' ? 'error' : '');
    cell(row, t.attempts);
    cell(row, t.executor);
    cell(row, t.totalMs === null ? '' : t.totalMs.toFixed(2));
  });
}

/**
 * The task whose page is open, whether it ended (until then, and while the run goes on, its page is
 * refreshed with the others), and what it shows, so that an unchanged page is not redrawn under the reader.
 */
const taskPage = {id: null, ended: true, shown: null};
/** Whether the run has ended: then nothing changes any more. */
let runEnded = false;
const ENDED = new Set(['finished', 'failed', 'cancelled']);

async function showTask(id) {
  taskPage.id = id;
  const detail = await json('api/task?id=' + encodeURIComponent(id));
  if (taskPage.id !== id) return;   // another task's page was opened meanwhile
  $('task-page').hidden = false;
  const shown = id + ' ' + JSON.stringify(detail);
  if (shown === taskPage.shown) return;
  taskPage.shown = shown;
  const task = detail.task;
  taskPage.ended = ENDED.has(task.state);
  $('task-title').textContent = `${task.name} #${task.id}: ${task.state}`;
  const box = $('task-detail');
  box.replaceChildren();
  const add = (tag, content, className) => {
    const element = document.createElement(tag);
    element.textContent = content;
    if (className) element.className = className;
    box.appendChild(element);
  };
  add('p', `executor ${task.executor}, ${task.cores} core(s)${task.gpus ? ', ' + task.gpus + ' GPU(s)' : ''}, ${task.attempts} attempt(s)`
      + (task.readyMs ? `, waited ${task.readyMs - task.submittedMs} ms for its inputs` : ''));
  const seconds = ms => (ms / 1000).toFixed(3) + ' s';
  for (const t of detail.tries) {
    add('p', `attempt ${t.attempt} on ${t.worker}: ${t.outcome}, from ${seconds(t.startMs)}`
        + (t.endMs === null ? ' (still running)' : ` to ${seconds(t.endMs)} of the run (${t.ms.toFixed(2)} ms)`));
  }
  for (const f of detail.failures) {
    // a command's message ends with its last lines, and its stack trace's head repeats them: shown once, in blocks
    const message = text(f.message);
    const quoted = f.stderrTail !== null || f.stdoutTail !== null ? message.slice(withoutTails(message).length) : '';
    add('p', `attempt ${f.attempt} (${f.outcome}): ${f.type}: ${message.slice(0, message.length - quoted.length)}`, 'error');
    if (f.stackTrace) add('pre', f.stackTrace.replace(quoted, ''));
    for (const [stream, tail] of [['stderr', f.stderrTail], ['stdout', f.stdoutTail]]) {
      if (!tail) continue;
      const file = quoted.match(new RegExp(`--- last lines of ${stream} \\((.*)\\):`));
      add('p', `last lines of ${stream}${file ? ' (' + file[1] + ')' : ''}:`);
      add('pre', tail, stream + '-tail');
    }
  }
  // a command's files, read when the page asks, for the tries whose failure neither recorded nor quoted their last
  // lines (it succeeded, still runs, or was cancelled); a try that failed before its program started has no files
  const quotedTries = new Set(detail.failures.filter(f => f.stderrTail !== null || f.stdoutTail !== null
      || text(f.message).includes(TAILS)).map(f => f.attempt));
  const failed = new Set(detail.failures.map(f => f.attempt));
  for (const o of detail.outputs) {
    if (quotedTries.has(o.attempt)) continue;
    for (const [stream, file, exists, tail] of [['stderr', o.stderrFile, o.stderrExists, o.stderrTail],
                                                ['stdout', o.stdoutFile, o.stdoutExists, o.stdoutTail]]) {
      if (!exists && !failed.has(o.attempt)) {
        add('p', `attempt ${o.attempt}: its ${stream} file ${file} is not there (deleted, or not yet created)`);
      } else if (exists && tail) {
        add('p', `attempt ${o.attempt}: last lines of ${stream} (${file}):`);
        add('pre', tail, stream + '-tail');
      }
    }
  }
  if (detail.dependencies.length) {
    add('p', 'depends on ' + detail.dependencies.map(d => `${text(d.name) || 'a value'} #${d.id}${d.state ? ' (' + d.state + ')' : ''}`).join(', '));
  }
  if (task.state === 'waiting') {
    const unfinished = detail.dependencies.filter(d => d.unfinished);
    // a task waiting after tries that failed waits for its retry (a retry delay), not for a slot
    const tried = Math.max(task.attempts, detail.tries.length);
    add('p', unfinished.length
        ? 'waiting for its inputs: ' + unfinished.map(d => `${d.name} #${d.id} (${d.state})`).join(', ')
        : tried > 0 ? `waiting for its next try (attempt ${tried + 1}), after ${tried} that failed`
        : 'waiting for a slot on its executor');
  }
}

async function refresh() {
  try {
    await Promise.all([refreshOverview(), refreshFailures(), refreshTasks(), refreshTimeline(),
      taskPage.ended || runEnded ? null : showTask(taskPage.id)]);
  } catch (e) {
    $('run-state').textContent = 'cannot read the run: ' + e.message;
  }
}

$('state-filter').addEventListener('change', refreshTasks);
$('name-filter').addEventListener('input', refreshTasks);
refresh();
setInterval(refresh, 1000);
// the graph changes shape rarely and costs more to draw: every 5 s
refreshGraph().catch(e => $('graph-note').textContent = 'cannot draw the graph: ' + e.message);
setInterval(() => refreshGraph().catch(e => $('graph-note').textContent = 'cannot draw the graph: ' + e.message), 5000);
