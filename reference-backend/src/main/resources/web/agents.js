// The live /agents page: the agent table and the /ws/dashboard socket. Plain ES modules, no build
// step, no dependencies. Every piece of agent data is written with textContent, never parsed as HTML.
import { ago, byId, make, num, randomId, str } from './dom.js';
import { createPanel } from './panel.js';

const KNOWN_STATUSES = ['ONLINE', 'OFFLINE', 'CONNECTING', 'ERROR'];
const RECONNECT_BASE_MS = 500;
const RECONNECT_CAP_MS = 8000;
const CLOSE_AUTH_FAILED = 4401;
const TICK_MS = 5000;

const state = {
  agents: new Map(),   // agentId -> agent
  clockOffsetMs: 0,    // server time - browser time, from the snapshot
  socket: null,
  live: false,
  attempt: 0,
  reconnectTimer: null,
  reconnectAt: 0,
  signedOut: false,
  everConnected: false,
  snapshots: 0,
};

const rows = new Map(); // agentId -> <tr>
let el;
let panel;

const serverNow = () => Date.now() + state.clockOffsetMs;

function statusClass(raw) {
  let upper = str(raw).toUpperCase();
  if (upper === 'DISCONNECTED') upper = 'OFFLINE'; // the TypeScript backend's word for it
  return KNOWN_STATUSES.includes(upper) ? `s-${upper.toLowerCase()}` : 's-unknown';
}

const isOnline = (agent) => str(agent.status).toUpperCase() === 'ONLINE';
const label = (agent) => agent.name || agent.agentId;

// ---------- state changes ----------

function agentFor(agentId) {
  let agent = state.agents.get(agentId);
  if (!agent) {
    agent = { agentId, name: '', type: '', status: '', activityState: '', version: '', hostMachine: '',
              lastHeartbeat: null, lastSeen: null, reason: '' };
    state.agents.set(agentId, agent);
  }
  return agent;
}

function fromSummary(s) {
  return {
    agentId: str(s.agentId), name: str(s.name), type: str(s.type), status: str(s.status),
    activityState: str(s.activityState), version: str(s.version), hostMachine: str(s.hostMachine),
    lastHeartbeat: num(s.lastHeartbeat), lastSeen: num(s.lastSeen) || num(s.lastHeartbeat),
    reason: str(s.disconnectReason || s.reason),
  };
}

function applySnapshot(p, envelope) {
  const serverTime = num(p.timestamp) || num(envelope.timestamp);
  if (serverTime) state.clockOffsetMs = serverTime - Date.now();
  const next = new Map();
  (Array.isArray(p.agents) ? p.agents : []).forEach((s) => {
    if (s && s.agentId) next.set(String(s.agentId), fromSummary(s));
  });
  state.agents = next; // a snapshot replaces everything: nothing stale survives a reconnect
  state.snapshots += 1;
  document.body.setAttribute('data-snapshots', String(state.snapshots));
  renderAgents();
  panel.resynced();
}

/** Applies a change to one agent, re-renders it, and announces a status change to screen readers. */
function change(agentId, mutate) {
  const agent = agentFor(agentId);
  const before = agent.status;
  mutate(agent);
  renderAgents();
  const statusChanged = before !== agent.status;
  if (statusChanged) {
    announce(`${label(agent)} is now ${agent.status}${agent.reason && !isOnline(agent) ? `: ${agent.reason}` : ''}`);
  }
  panel.agentChanged(agentId, statusChanged);
}

function applyConnected(p, envelope) {
  if (!p.agentId) return;
  change(String(p.agentId), (agent) => {
    if (p.agentName) agent.name = str(p.agentName);
    if (p.agentType) agent.type = str(p.agentType);
    if (p.version) agent.version = str(p.version);
    if (p.hostMachine) agent.hostMachine = str(p.hostMachine);
    agent.status = 'ONLINE';
    agent.reason = '';
    agent.lastSeen = num(p.timestamp) || num(envelope.timestamp) || serverNow();
  });
}

function applyStatus(p, envelope) {
  if (!p.agentId) return;
  change(String(p.agentId), (agent) => {
    if (p.status) agent.status = str(p.status);
    if (p.activityState) agent.activityState = str(p.activityState);
    if (num(p.lastHeartbeat)) agent.lastHeartbeat = num(p.lastHeartbeat);
    agent.lastSeen = num(p.lastSeen) || num(p.lastHeartbeat) || agent.lastSeen || num(envelope.timestamp);
    if (isOnline(agent)) agent.reason = '';
    else if (p.reason) agent.reason = str(p.reason);
  });
}

function applyDisconnect(p, envelope) {
  if (!p.agentId) return;
  change(String(p.agentId), (agent) => {
    agent.status = 'OFFLINE';
    agent.activityState = '';
    if (p.reason) agent.reason = str(p.reason);
    agent.lastSeen = num(p.timestamp) || num(envelope.timestamp) || agent.lastSeen;
  });
}

// ---------- socket ----------

function wsUrl() {
  const port = /^[0-9]{1,5}$/.test(el.wsPort) ? el.wsPort : location.port;
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const host = location.hostname.includes(':') ? `[${location.hostname}]` : location.hostname;
  return `${scheme}//${host}${port ? `:${port}` : ''}/ws/dashboard`;
}

/** Sends a frame; returns its id, or null when the socket is not open. */
function send(type, payload) {
  const socket = state.socket;
  if (!socket || socket.readyState !== WebSocket.OPEN || !state.live) return null;
  const id = randomId();
  socket.send(JSON.stringify({ type, id, timestamp: Date.now(), payload }));
  return id;
}

function connect() {
  clearTimeout(state.reconnectTimer);
  state.reconnectTimer = null;
  let socket;
  try {
    socket = new WebSocket(wsUrl());
  } catch (e) {
    scheduleReconnect();
    return;
  }
  state.socket = socket;
  setConnection('connecting');
  socket.onopen = () => {
    if (state.socket !== socket) return;
    socket.send(JSON.stringify({ type: 'DASHBOARD_INIT', id: randomId(), timestamp: Date.now(),
      payload: { subscriptions: { agents: ['*'], terminals: true } } }));
  };
  socket.onmessage = (event) => {
    if (state.socket !== socket) return;
    let message;
    try {
      message = JSON.parse(event.data);
    } catch (e) {
      return;
    }
    if (message && typeof message.type === 'string') handle(message);
  };
  socket.onclose = (event) => {
    if (state.socket !== socket) return;
    state.socket = null;
    state.live = false;
    if (event.code === CLOSE_AUTH_FAILED) signedOut();
    else scheduleReconnect();
  };
}

function handle(message) {
  const p = message.payload && typeof message.payload === 'object' ? message.payload : {};
  switch (message.type) {
    case 'DASHBOARD_CONNECTED':
      state.live = true;
      state.attempt = 0;
      state.everConnected = true;
      setConnection('live');
      applySnapshot(p, message);
      break;
    case 'AGENT_CONNECTED': applyConnected(p, message); break;
    case 'AGENT_STATUS': applyStatus(p, message); break;
    case 'AGENT_DISCONNECT': applyDisconnect(p, message); break;
    case 'COMMAND_STATUS': panel.commandStatus(p); break;
    case 'TERMINAL_STREAM': panel.terminal(p, message); break;
    case 'PING':
      if (state.socket) {
        state.socket.send(JSON.stringify({ type: 'PONG', id: randomId(), timestamp: Date.now(),
          payload: { timestamp: num(p.timestamp) || Date.now() } }));
      }
      break;
    case 'ERROR': panel.backendError(p); break;
    default: break; // ACK and anything newer: nothing to show
  }
}

function scheduleReconnect() {
  if (state.signedOut) return;
  // Full jitter, so a restarted backend is not hit by every open page at the same instant.
  const ceiling = Math.min(RECONNECT_CAP_MS, RECONNECT_BASE_MS * 2 ** state.attempt);
  const delay = Math.max(150, Math.floor(Math.random() * ceiling));
  state.attempt += 1;
  state.reconnectAt = Date.now() + delay;
  state.reconnectTimer = setTimeout(connect, delay);
  setConnection('lost');
}

function signedOut() {
  state.signedOut = true;
  state.live = false;
  clearTimeout(state.reconnectTimer);
  if (state.socket) state.socket.close();
  state.socket = null;
  setConnection('signed-out');
}

function setConnection(mode) {
  el.conn.setAttribute('data-state', mode);
  const texts = { live: 'Live', connecting: 'Connecting…', lost: 'Reconnecting…', 'signed-out': 'Signed out' };
  el.connText.textContent = texts[mode] || mode;
  el.banner.hidden = !(mode === 'lost' || mode === 'signed-out' || (mode === 'connecting' && state.everConnected));
  el.bannerLogin.hidden = mode !== 'signed-out';
  el.bannerRetry.hidden = mode === 'signed-out';
  if (mode === 'signed-out') {
    el.bannerText.textContent = 'Your session is no longer valid — sign in again to see live status.';
  } else {
    updateBannerCountdown();
  }
  el.table.classList.toggle('stale', mode !== 'live');
  document.body.setAttribute('data-connection', mode);
  panel.render(false);
}

function updateBannerCountdown() {
  if (el.banner.hidden || state.signedOut) return;
  let text = 'Connection lost — reconnecting';
  if (state.reconnectTimer) {
    const seconds = Math.ceil((state.reconnectAt - Date.now()) / 1000);
    if (seconds >= 1) text += ` in ${seconds} s`;
  }
  el.bannerText.textContent = `${text}…`;
}

function announce(text) {
  el.announcer.textContent = text;
}

// ---------- rendering ----------

function sortedAgents() {
  return [...state.agents.values()].sort((a, b) => {
    const an = label(a).toLowerCase();
    const bn = label(b).toLowerCase();
    if (an !== bn) return an < bn ? -1 : 1;
    return a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0;
  });
}

function buildRow(agentId) {
  const tr = make('tr');
  tr.setAttribute('data-agent-id', agentId);
  const nameCell = make('td', 'cell-agent');
  nameCell.append(make('span', 'agent-name'), make('span', 'agent-id'));
  const statusCell = make('td', 'cell-status');
  statusCell.append(make('span', 'badge'));
  const activityCell = make('td', 'cell-activity');
  activityCell.append(make('span', 'activity'));
  const hostCell = make('td', 'cell-host');
  hostCell.append(make('span', 'host-name'), make('span', 'agent-version'));
  const actionCell = make('td', 'cell-action');
  const button = make('button', 'btn btn-small', 'Commands');
  button.type = 'button';
  button.setAttribute('data-action', 'select');
  actionCell.append(button);
  tr.append(nameCell, make('td', 'cell-type'), statusCell, activityCell, make('td', 'cell-seen'),
    make('td', 'cell-reason'), hostCell, actionCell);
  tr.addEventListener('click', () => select(agentId));
  return tr;
}

function fillRow(tr, agent) {
  tr.setAttribute('data-status', agent.status);
  tr.setAttribute('data-agent-name', agent.name);
  markSelected(tr, agent.agentId === panel.selected());
  const [nameCell, typeCell, statusCell, activityCell, seenCell, reasonCell, hostCell, actionCell] = tr.children;
  nameCell.children[0].textContent = label(agent);
  nameCell.children[1].textContent = agent.name ? agent.agentId : '';
  typeCell.textContent = agent.type || '—';
  const badge = statusCell.children[0];
  badge.className = `badge ${statusClass(agent.status)}`;
  badge.textContent = agent.status || 'UNKNOWN';
  const activity = activityCell.children[0];
  const activityText = isOnline(agent) ? (agent.activityState || 'IDLE') : '—';
  activity.textContent = activityText;
  activity.className = `activity${activityText === 'PROCESSING' || activityText === 'QUEUED' ? ' busy' : ''}`;
  fillSeen(seenCell, agent);
  reasonCell.textContent = isOnline(agent) ? '' : agent.reason;
  reasonCell.title = reasonCell.textContent;
  hostCell.children[0].textContent = agent.hostMachine || '—';
  hostCell.children[1].textContent = agent.version ? `v${agent.version}` : '';
  actionCell.children[0].setAttribute('aria-label', `Commands for ${label(agent)}`);
}

const localTime = (serverMs) => serverMs - state.clockOffsetMs;
const absolute = (serverMs) => new Date(localTime(serverMs)).toLocaleString();

function fillSeen(cell, agent) {
  if (isOnline(agent)) {
    cell.textContent = 'Active now';
    cell.className = 'cell-seen active';
    cell.title = agent.lastHeartbeat ? `Last heartbeat ${absolute(agent.lastHeartbeat)}` : '';
  } else if (agent.lastSeen) {
    cell.textContent = `Last seen ${ago(serverNow() - agent.lastSeen)}`;
    cell.className = 'cell-seen';
    cell.title = absolute(agent.lastSeen);
  } else {
    cell.textContent = 'Never seen';
    cell.className = 'cell-seen';
    cell.title = '';
  }
}

function matchesFilter(agent) {
  const q = el.filter.value.trim().toLowerCase();
  if (!q) return true;
  return [agent.name, agent.agentId, agent.type, agent.status, agent.hostMachine, agent.version, agent.reason]
    .some((v) => str(v).toLowerCase().includes(q));
}

function renderAgents() {
  const agents = sortedAgents();
  rows.forEach((tr, agentId) => {
    if (!state.agents.has(agentId)) {
      tr.remove();
      rows.delete(agentId);
    }
  });
  let previous = null;
  agents.forEach((agent) => {
    let tr = rows.get(agent.agentId);
    if (!tr) {
      tr = buildRow(agent.agentId);
      rows.set(agent.agentId, tr);
    }
    fillRow(tr, agent);
    tr.hidden = !matchesFilter(agent);
    const expected = previous ? previous.nextSibling : el.tbody.firstChild;
    if (expected !== tr) el.tbody.insertBefore(tr, expected);
    previous = tr;
  });
  el.empty.hidden = agents.length > 0;
  renderSummary(agents);
}

function renderSummary(agents) {
  const counts = {};
  agents.forEach((a) => {
    const key = statusClass(a.status) === 's-unknown' ? 'other' : statusClass(a.status).slice(2);
    counts[key] = (counts[key] || 0) + 1;
  });
  const parts = [];
  if (counts.online) parts.push(`${counts.online} online`);
  if (counts.connecting) parts.push(`${counts.connecting} connecting`);
  if (counts.error) parts.push(`${counts.error} in error`);
  if (counts.offline) parts.push(`${counts.offline} offline`);
  if (counts.other) parts.push(`${counts.other} other`);
  el.summary.textContent = agents.length === 0 ? 'No agents'
    : `${agents.length} ${agents.length === 1 ? 'agent' : 'agents'}: ${parts.join(' · ')}`;
  document.title = `${counts.online ? `(${counts.online} online) ` : ''}Agents · Onsembl`;
}

// aria-selected is only valid in grids; aria-current marks "the one shown in the panel" in a plain table.
function markSelected(tr, selected) {
  if (selected) tr.setAttribute('aria-current', 'true');
  else tr.removeAttribute('aria-current');
}

function select(agentId) {
  rows.forEach((tr, id) => markSelected(tr, id === agentId));
  panel.select(agentId);
}

function tick() {
  rows.forEach((tr, agentId) => {
    const agent = state.agents.get(agentId);
    if (agent) fillSeen(tr.children[4], agent);
  });
  updateBannerCountdown();
}

// ---------- start ----------

function init() {
  el = {
    conn: byId('conn'), connText: byId('conn-text'), banner: byId('banner'), bannerText: byId('banner-text'),
    bannerRetry: byId('banner-retry'), bannerLogin: byId('banner-login'), summary: byId('summary'),
    table: byId('agents-table'), tbody: byId('agents-body'), empty: byId('empty'), emptyHint: byId('empty-hint'),
    filter: byId('filter'), announcer: byId('announcer'),
    wsPort: (document.querySelector('meta[name="onsembl-ws-port"]') || { content: '' }).content,
  };
  panel = createPanel({
    agent: (id) => state.agents.get(id),
    live: () => state.live,
    send,
    serverNow,
    localTime,
    signedOut,
  });
  const url = wsUrl();
  byId('ws-url').textContent = url;
  el.emptyHint.textContent = `ONSEMBL_TOKEN=<agent token> onsembl-agent start \\\n  --server ${
    url.replace('/ws/dashboard', '')} --agent mock --name my-agent`;
  el.filter.addEventListener('input', renderAgents);
  el.bannerRetry.addEventListener('click', () => {
    state.attempt = 0;
    if (!state.socket) connect();
  });
  setInterval(tick, TICK_MS);
  renderAgents();
  connect();
}

init(); // modules run after the document is parsed
