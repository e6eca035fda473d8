// The live /agents page: the agent table and the /ws/dashboard socket. Plain ES modules, no build
// step, no dependencies. Every piece of agent data is written with textContent, never parsed as HTML.
import { api, byId, num, randomId, str } from './dom.js';
import { createPanel } from './panel.js';
import { createTable, isOnline, label } from './table.js';

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

let el;
let panel;
let table;

const serverNow = () => Date.now() + state.clockOffsetMs;

const localTime = (serverMs) => serverMs - state.clockOffsetMs;

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
  table.render();
  panel.resynced();
}

/** Applies a change to one agent, re-renders it, and announces a status change to screen readers. */
function change(agentId, mutate) {
  const agent = agentFor(agentId);
  const before = agent.status;
  mutate(agent);
  table.render();
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

// ---------- start ----------

// ---------- "Connect a device": approve the code `onsembl-agent login` shows ----------

function initDeviceForm() {
  const form = byId('device-form');
  const input = byId('device-code');
  const result = byId('device-result');
  const fromLink = new URLSearchParams(window.location.search).get('user_code');
  if (fromLink) {
    input.value = fromLink;
    byId('device-panel').open = true;
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const code = input.value.trim();
    result.textContent = 'Approving…';
    try {
      await api('POST', '/api/auth/device/confirm', { user_code: code });
      result.textContent = `Approved: the device showing ${code} is now signed in.`;
      input.value = '';
    } catch (e) {
      result.textContent = `Not approved: ${e.message}`;
    }
  });
}

function init() {
  initDeviceForm();
  el = {
    conn: byId('conn'), connText: byId('conn-text'), banner: byId('banner'), bannerText: byId('banner-text'),
    bannerRetry: byId('banner-retry'), bannerLogin: byId('banner-login'), table: byId('agents-table'),
    emptyHint: byId('empty-hint'), announcer: byId('announcer'),
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
  table = createTable({
    agents: () => state.agents,
    selected: () => panel.selected(),
    onSelect: (agentId) => panel.select(agentId),
    serverNow,
    localTime,
  });
  const url = wsUrl();
  byId('ws-url').textContent = url;
  el.emptyHint.textContent = `ONSEMBL_TOKEN=<agent token> onsembl-agent start \\\n  --server ${
    url.replace('/ws/dashboard', '')} --agent mock --name my-agent`;
  el.bannerRetry.addEventListener('click', () => {
    state.attempt = 0;
    if (!state.socket) connect();
  });
  setInterval(() => {
    table.tick();
    updateBannerCountdown();
  }, TICK_MS);
  table.render();
  connect();
}

init(); // modules run after the document is parsed
