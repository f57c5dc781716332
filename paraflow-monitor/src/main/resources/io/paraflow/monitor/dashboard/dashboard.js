'use strict';
// Polls the dashboard's JSON endpoints every second and redraws the page. No framework: the page is small.

const $ = id => document.getElementById(id);

function text(value) {
  return value === null || value === undefined ? '' : String(value);
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
  for (const [key, colour] of [['finished', '#2e7d32'], ['running', '#1565c0'], ['failed', '#c62828']]) {
    const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
    line.setAttribute('points', series.map(p => `${(p.t / tMax * 600).toFixed(1)},${(118 - p[key] / yMax * 116).toFixed(1)}`).join(' '));
    line.setAttribute('fill', 'none');
    line.setAttribute('stroke', colour);
    line.setAttribute('stroke-width', '1.5');
    svg.appendChild(line);
  }
}

let previousCounts = null;

async function refreshOverview() {
  const overview = await json('api/overview');
  const run = overview.run;
  $('run-name').textContent = run.name || ('flow ' + run.flowId);
  $('run-state').textContent = run.outcome
      ? `ended: ${run.outcome}, after ${((run.endedMs - run.startedMs) / 1000).toFixed(1)} s`
      : `running on ${run.host} (pid ${run.pid}) since ${new Date(run.startedMs).toLocaleTimeString()}`;
  const counts = overview.counts || {submitted: 0, running: 0, finished: 0, failed: 0, cancelled: 0};
  for (const key of ['submitted', 'running', 'finished', 'failed', 'cancelled']) {
    $('count-' + key).textContent = text(counts[key]);
  }
  if (previousCounts && counts.atMs > previousCounts.atMs) {
    const ended = c => c.finished + c.failed + c.cancelled;
    $('throughput').textContent = ((ended(counts) - ended(previousCounts)) * 1000 / (counts.atMs - previousCounts.atMs)).toFixed(1);
  }
  previousCounts = counts;
  drawSeries(overview.series);
  fill('workers', overview.workers, (row, w) => {
    cell(row, w.worker);
    cell(row, w.cpuLoad === null ? '' : w.cpuLoad.toFixed(2));
    cell(row, w.cpuMs === null ? '' : (w.cpuMs / 1000).toFixed(1) + ' s');
    cell(row, w.memoryUsed === null ? '' : (w.memoryUsed / 1048576).toFixed(0) + ' of ' + (w.memoryMax / 1048576).toFixed(0) + ' MiB');
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
    cell(row, `${f.type}: ${text(f.message)}`, 'error');
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

async function showTask(id) {
  const detail = await json('api/task?id=' + encodeURIComponent(id));
  const task = detail.task;
  $('task-page').hidden = false;
  $('task-title').textContent = `${task.name} #${task.id}: ${task.state}`;
  const box = $('task-detail');
  box.replaceChildren();
  const add = (tag, content, className) => {
    const element = document.createElement(tag);
    element.textContent = content;
    if (className) element.className = className;
    box.appendChild(element);
  };
  add('p', `executor ${task.executor}, ${task.cores} core(s), ${task.attempts} attempt(s)`
      + (task.readyMs ? `, waited ${task.readyMs - task.submittedMs} ms for its inputs` : ''));
  for (const t of detail.tries) add('p', `attempt ${t.attempt} on ${t.worker}: ${t.outcome} after ${t.ms === null ? '?' : t.ms.toFixed(2)} ms`);
  for (const f of detail.failures) {
    add('p', `attempt ${f.attempt} (${f.outcome}): ${f.type}: ${text(f.message)}`, 'error');
    if (f.stackTrace) add('pre', f.stackTrace);
    if (f.stderrTail) add('pre', f.stderrTail);
  }
  if (detail.dependencies.length) {
    add('p', 'depends on ' + detail.dependencies.map(d => `${text(d.name) || 'a value'} #${d.id}${d.state ? ' (' + d.state + ')' : ''}`).join(', '));
  }
}

async function refresh() {
  try {
    await Promise.all([refreshOverview(), refreshFailures(), refreshTasks()]);
  } catch (e) {
    $('run-state').textContent = 'cannot read the run: ' + e.message;
  }
}

$('state-filter').addEventListener('change', refreshTasks);
$('name-filter').addEventListener('input', refreshTasks);
refresh();
setInterval(refresh, 1000);
