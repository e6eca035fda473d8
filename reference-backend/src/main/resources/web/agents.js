// The live /agents page. Plain JS, no build step, no dependencies.
// Every piece of agent data is written with textContent: nothing a peer sends is parsed as HTML.
(function () {
  'use strict';

  var KNOWN_STATUSES = ['ONLINE', 'OFFLINE', 'CONNECTING', 'ERROR'];
  var MAX_COMMANDS_PER_AGENT = 30;
  var MAX_CHUNKS_PER_COMMAND = 5000;
  var RECONNECT_BASE_MS = 500;
  var RECONNECT_CAP_MS = 8000;
  var CLOSE_AUTH_FAILED = 4401;

  var state = {
    agents: new Map(),        // agentId -> agent
    commands: new Map(),      // commandId -> command
    selectedAgentId: null,
    clockOffsetMs: 0,         // server time - browser time, from the snapshot
    socket: null,
    live: false,
    attempt: 0,
    reconnectTimer: null,
    reconnectAt: 0,
    signedOut: false,
    everConnected: false
  };

  var el = {};
  var rows = new Map();       // agentId -> <tr>

  // ---------- small helpers ----------

  function $(id) { return document.getElementById(id); }

  function make(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function randomId() {
    // crypto.randomUUID needs a secure context; getRandomValues works on plain http too.
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
    return hex.slice(0, 8) + '-' + hex.slice(8, 12) + '-' + hex.slice(12, 16) + '-' + hex.slice(16, 20) + '-' + hex.slice(20);
  }

  function str(value) {
    return value === undefined || value === null ? '' : String(value);
  }

  function num(value) {
    var n = typeof value === 'number' ? value : Number(value);
    return isFinite(n) && n > 0 ? n : null;
  }

  function serverNow() { return Date.now() + state.clockOffsetMs; }

  function statusClass(raw) {
    var upper = str(raw).toUpperCase();
    if (upper === 'DISCONNECTED') upper = 'OFFLINE'; // the TypeScript backend's word for it
    return KNOWN_STATUSES.indexOf(upper) >= 0 ? 's-' + upper.toLowerCase() : 's-unknown';
  }

  function isOnline(agent) { return str(agent.status).toUpperCase() === 'ONLINE'; }

  function relative(ms) {
    var seconds = Math.max(0, Math.round((serverNow() - ms) / 1000));
    if (seconds < 10) return 'just now';
    if (seconds < 60) return seconds + ' s ago';
    var minutes = Math.floor(seconds / 60);
    if (minutes < 60) return minutes + ' min ago';
    var hours = Math.floor(minutes / 60);
    if (hours < 48) return hours + ' h ago';
    return Math.floor(hours / 24) + ' days ago';
  }

  function absolute(ms) {
    try { return new Date(ms - state.clockOffsetMs).toLocaleString(); } catch (e) { return ''; }
  }

  // ---------- state changes ----------

  function agentFor(agentId) {
    var agent = state.agents.get(agentId);
    if (!agent) {
      agent = { agentId: agentId, name: '', type: '', status: '', activityState: '', version: '',
                hostMachine: '', lastHeartbeat: null, lastSeen: null, reason: '' };
      state.agents.set(agentId, agent);
    }
    return agent;
  }

  function fromSummary(s) {
    return {
      agentId: str(s.agentId), name: str(s.name), type: str(s.type), status: str(s.status),
      activityState: str(s.activityState), version: str(s.version), hostMachine: str(s.hostMachine),
      lastHeartbeat: num(s.lastHeartbeat), lastSeen: num(s.lastSeen) || num(s.lastHeartbeat),
      reason: str(s.disconnectReason || s.reason)
    };
  }

  function applySnapshot(p, envelope) {
    var serverTime = num(p.timestamp) || num(envelope.timestamp);
    if (serverTime) state.clockOffsetMs = serverTime - Date.now();
    var next = new Map();
    (Array.isArray(p.agents) ? p.agents : []).forEach(function (s) {
      if (s && s.agentId) next.set(String(s.agentId), fromSummary(s));
    });
    state.agents = next; // a snapshot replaces everything: nothing stale survives a reconnect
    renderAgents();
  }

  function applyConnected(p, envelope) {
    if (!p.agentId) return;
    var agent = agentFor(String(p.agentId));
    if (p.agentName) agent.name = str(p.agentName);
    if (p.agentType) agent.type = str(p.agentType);
    if (p.version) agent.version = str(p.version);
    if (p.hostMachine) agent.hostMachine = str(p.hostMachine);
    agent.status = 'ONLINE';
    agent.reason = '';
    agent.lastSeen = num(p.timestamp) || num(envelope.timestamp) || serverNow();
    renderAgents();
  }

  function applyStatus(p, envelope) {
    if (!p.agentId) return;
    var agent = agentFor(String(p.agentId));
    if (p.status) agent.status = str(p.status);
    if (p.activityState) agent.activityState = str(p.activityState);
    if (num(p.lastHeartbeat)) agent.lastHeartbeat = num(p.lastHeartbeat);
    agent.lastSeen = num(p.lastSeen) || num(p.lastHeartbeat) || agent.lastSeen || num(envelope.timestamp);
    if (isOnline(agent)) agent.reason = '';
    else if (p.reason) agent.reason = str(p.reason);
    renderAgents();
  }

  function applyDisconnect(p, envelope) {
    if (!p.agentId) return;
    var agent = agentFor(String(p.agentId));
    agent.status = 'OFFLINE';
    agent.activityState = '';
    if (p.reason) agent.reason = str(p.reason);
    agent.lastSeen = num(p.timestamp) || num(envelope.timestamp) || agent.lastSeen;
    renderAgents();
  }

  function commandFor(commandId, agentId) {
    var command = state.commands.get(commandId);
    if (!command) {
      command = { commandId: commandId, agentId: agentId, content: null, status: '', error: '',
                  chunks: new Map(), startedAt: serverNow(), node: null };
      state.commands.set(commandId, command);
      pruneCommands(agentId);
    }
    if (!command.agentId && agentId) command.agentId = agentId;
    return command;
  }

  function pruneCommands(agentId) {
    var mine = [];
    state.commands.forEach(function (c) { if (c.agentId === agentId) mine.push(c); });
    while (mine.length > MAX_COMMANDS_PER_AGENT) {
      var oldest = mine.shift();
      state.commands.delete(oldest.commandId);
      if (oldest.node && oldest.node.parentNode) oldest.node.parentNode.removeChild(oldest.node);
    }
  }

  function applyCommandStatus(p) {
    if (!p.commandId) return;
    var command = commandFor(String(p.commandId), str(p.agentId));
    if (p.status) command.status = str(p.status);
    if (p.error) command.error = str(p.error);
    renderCommand(command);
  }

  function applyTerminal(p, envelope) {
    if (!p.commandId) return;
    var command = commandFor(String(p.commandId), str(p.agentId));
    // Each chunk once, in sequence order, whatever order and however often it arrives.
    var seq = num(p.sequence);
    var key = seq !== null ? seq : 'x' + str(envelope.id);
    if (command.chunks.has(key) || command.chunks.size >= MAX_CHUNKS_PER_COMMAND) return;
    var chunk = { seq: seq, stderr: str(p.streamType).toUpperCase() === 'STDERR', content: str(p.content) };
    command.chunks.set(key, chunk);
    renderChunk(command, chunk);
  }

  // ---------- socket ----------

  function wsUrl() {
    var port = el.wsPortMeta && /^[0-9]{1,5}$/.test(el.wsPortMeta) ? el.wsPortMeta : location.port;
    var scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    var host = location.hostname.indexOf(':') >= 0 ? '[' + location.hostname + ']' : location.hostname;
    return scheme + '//' + host + (port ? ':' + port : '') + '/ws/dashboard';
  }

  function send(type, payload) {
    var socket = state.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return null;
    var id = randomId();
    socket.send(JSON.stringify({ type: type, id: id, timestamp: Date.now(), payload: payload }));
    return id;
  }

  function connect() {
    clearTimeout(state.reconnectTimer);
    state.reconnectTimer = null;
    var socket;
    try {
      socket = new WebSocket(wsUrl());
    } catch (e) {
      scheduleReconnect();
      return;
    }
    state.socket = socket;
    setConnection('connecting');
    socket.onopen = function () {
      if (state.socket !== socket) return;
      send('DASHBOARD_INIT', { subscriptions: { agents: ['*'], terminals: true } });
    };
    socket.onmessage = function (event) {
      if (state.socket !== socket) return;
      var message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      if (!message || typeof message.type !== 'string') return;
      handle(message);
    };
    socket.onclose = function (event) {
      if (state.socket !== socket) return;
      state.socket = null;
      state.live = false;
      if (event.code === CLOSE_AUTH_FAILED) {
        signedOut();
      } else {
        scheduleReconnect();
      }
    };
    socket.onerror = function () { /* onclose follows and decides */ };
  }

  function handle(message) {
    var p = message.payload && typeof message.payload === 'object' ? message.payload : {};
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
      case 'COMMAND_STATUS': applyCommandStatus(p); break;
      case 'TERMINAL_STREAM': applyTerminal(p, message); break;
      case 'PING': send('PONG', { timestamp: num(p.timestamp) || Date.now() }); break;
      case 'ERROR': showError(p); break;
      default: break; // ACK and anything newer: nothing to show
    }
  }

  function scheduleReconnect() {
    if (state.signedOut) return;
    // Full jitter so a restarted backend is not hit by every open page at the same instant.
    var ceiling = Math.min(RECONNECT_CAP_MS, RECONNECT_BASE_MS * Math.pow(2, state.attempt));
    var delay = Math.max(150, Math.floor(Math.random() * ceiling));
    state.attempt += 1;
    state.reconnectAt = Date.now() + delay;
    state.reconnectTimer = setTimeout(connect, delay);
    setConnection('lost');
  }

  function signedOut() {
    state.signedOut = true;
    setConnection('signed-out');
  }

  function setConnection(mode) {
    el.conn.setAttribute('data-state', mode);
    var texts = { live: 'Live', connecting: 'Connecting…', lost: 'Reconnecting…', 'signed-out': 'Signed out' };
    el.connText.textContent = texts[mode] || mode;
    var showBanner = mode === 'lost' || mode === 'signed-out' || (mode === 'connecting' && state.everConnected);
    el.banner.hidden = !showBanner;
    el.bannerLogin.hidden = mode !== 'signed-out';
    el.bannerRetry.hidden = mode === 'signed-out';
    if (mode === 'signed-out') {
      el.bannerText.textContent = 'Your session is no longer valid — sign in again to see live status.';
    } else {
      updateBannerCountdown();
    }
    el.table.classList.toggle('stale', mode !== 'live');
    document.body.setAttribute('data-connection', mode);
    renderCommandArea();
  }

  function updateBannerCountdown() {
    if (el.banner.hidden || state.signedOut) return;
    var text = 'Connection lost — reconnecting';
    if (state.reconnectTimer) {
      var seconds = Math.ceil((state.reconnectAt - Date.now()) / 1000);
      if (seconds >= 1) text += ' in ' + seconds + ' s';
    }
    el.bannerText.textContent = text + '…';
  }

  // ---------- rendering: agents ----------

  function sortedAgents() {
    return Array.from(state.agents.values()).sort(function (a, b) {
      var an = (a.name || a.agentId).toLowerCase();
      var bn = (b.name || b.agentId).toLowerCase();
      return an < bn ? -1 : an > bn ? 1 : a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0;
    });
  }

  function buildRow(agentId) {
    var tr = make('tr');
    tr.setAttribute('data-agent-id', agentId);
    tr.setAttribute('aria-selected', 'false');
    var nameCell = make('td', 'cell-agent');
    nameCell.appendChild(make('span', 'agent-name'));
    nameCell.appendChild(make('span', 'agent-id'));
    tr.appendChild(nameCell);
    tr.appendChild(make('td', 'cell-type'));
    var statusCell = make('td', 'cell-status');
    statusCell.appendChild(make('span', 'badge'));
    tr.appendChild(statusCell);
    var activityCell = make('td', 'cell-activity');
    activityCell.appendChild(make('span', 'activity'));
    tr.appendChild(activityCell);
    tr.appendChild(make('td', 'cell-seen'));
    tr.appendChild(make('td', 'cell-reason'));
    var hostCell = make('td', 'cell-host');
    hostCell.appendChild(make('span', 'host-name'));
    hostCell.appendChild(make('span', 'agent-version'));
    tr.appendChild(hostCell);
    var actionCell = make('td', 'cell-action');
    var button = make('button', 'btn btn-small', 'Commands');
    button.type = 'button';
    button.setAttribute('data-action', 'select');
    actionCell.appendChild(button);
    tr.appendChild(actionCell);
    tr.addEventListener('click', function () { select(agentId); });
    return tr;
  }

  function fillRow(tr, agent) {
    tr.setAttribute('data-status', agent.status);
    tr.setAttribute('data-agent-name', agent.name);
    tr.setAttribute('aria-selected', String(agent.agentId === state.selectedAgentId));
    var cells = tr.children;
    cells[0].children[0].textContent = agent.name || agent.agentId;
    cells[0].children[1].textContent = agent.name ? agent.agentId : '';
    cells[1].textContent = agent.type || '—';
    var badge = cells[2].children[0];
    badge.className = 'badge ' + statusClass(agent.status);
    badge.textContent = agent.status || 'UNKNOWN';
    var activity = cells[3].children[0];
    var activityText = isOnline(agent) ? (agent.activityState || 'IDLE') : '—';
    activity.textContent = activityText;
    activity.className = 'activity' + (activityText === 'PROCESSING' || activityText === 'QUEUED' ? ' busy' : '');
    fillSeen(cells[4], agent);
    cells[5].textContent = isOnline(agent) ? '' : agent.reason;
    cells[5].title = cells[5].textContent;
    cells[6].children[0].textContent = agent.hostMachine || '—';
    cells[6].children[1].textContent = agent.version ? 'v' + agent.version : '';
    cells[7].children[0].setAttribute('aria-label', 'Commands for ' + (agent.name || agent.agentId));
  }

  function fillSeen(cell, agent) {
    if (isOnline(agent)) {
      cell.textContent = 'Active now';
      cell.className = 'cell-seen active';
      cell.title = agent.lastHeartbeat ? 'Last heartbeat ' + absolute(agent.lastHeartbeat) : '';
    } else if (agent.lastSeen) {
      cell.textContent = 'Last seen ' + relative(agent.lastSeen);
      cell.className = 'cell-seen';
      cell.title = absolute(agent.lastSeen);
    } else {
      cell.textContent = 'Never seen';
      cell.className = 'cell-seen';
      cell.title = '';
    }
  }

  function matchesFilter(agent) {
    var q = el.filter.value.trim().toLowerCase();
    if (!q) return true;
    return [agent.name, agent.agentId, agent.type, agent.status, agent.hostMachine, agent.version, agent.reason]
      .some(function (v) { return str(v).toLowerCase().indexOf(q) >= 0; });
  }

  function renderAgents() {
    var agents = sortedAgents();
    rows.forEach(function (tr, agentId) {
      if (!state.agents.has(agentId)) { tr.remove(); rows.delete(agentId); }
    });
    var previous = null;
    agents.forEach(function (agent) {
      var tr = rows.get(agent.agentId);
      if (!tr) { tr = buildRow(agent.agentId); rows.set(agent.agentId, tr); }
      fillRow(tr, agent);
      tr.hidden = !matchesFilter(agent);
      var expectedPosition = previous ? previous.nextSibling : el.tbody.firstChild;
      if (expectedPosition !== tr) el.tbody.insertBefore(tr, expectedPosition);
      previous = tr;
    });
    el.empty.hidden = agents.length > 0;
    renderSummary(agents);
    renderCommandArea();
  }

  function renderSummary(agents) {
    var counts = {};
    agents.forEach(function (a) {
      var key = statusClass(a.status) === 's-unknown' ? 'other' : statusClass(a.status).slice(2);
      counts[key] = (counts[key] || 0) + 1;
    });
    var parts = [];
    if (counts.online) parts.push(counts.online + ' online');
    if (counts.connecting) parts.push(counts.connecting + ' connecting');
    if (counts.error) parts.push(counts.error + ' in error');
    if (counts.offline) parts.push(counts.offline + ' offline');
    if (counts.other) parts.push(counts.other + ' other');
    el.summary.textContent = agents.length === 0 ? 'No agents' :
      agents.length + (agents.length === 1 ? ' agent: ' : ' agents: ') + parts.join(' · ');
    document.title = (counts.online ? '(' + counts.online + ' online) ' : '') + 'Agents · Onsembl';
  }

  function tick() {
    rows.forEach(function (tr, agentId) {
      var agent = state.agents.get(agentId);
      if (agent) fillSeen(tr.children[4], agent);
    });
    updateBannerCountdown();
  }

  // ---------- rendering: commands ----------

  function select(agentId) {
    state.selectedAgentId = agentId;
    rows.forEach(function (tr, id) { tr.setAttribute('aria-selected', String(id === agentId)); });
    renderCommandArea(true);
    el.commandInput.focus();
  }

  function renderCommandArea(rebuild) {
    var agent = state.selectedAgentId ? state.agents.get(state.selectedAgentId) : null;
    el.commandPlaceholder.hidden = !!agent;
    el.commandArea.hidden = !agent;
    el.commandPanel.setAttribute('data-agent-id', agent ? agent.agentId : '');
    if (!agent) return;
    var label = agent.name || agent.agentId;
    el.commandHeading.textContent = 'Commands · ' + label;
    el.commandLabel.textContent = 'Run a command on ' + label;
    var reason = !state.live ? 'Waiting for the connection to the backend…' :
      !isOnline(agent) ? label + ' is ' + (agent.status || 'not online') + ': commands need an ONLINE agent.' : '';
    el.commandInput.disabled = !!reason;
    el.commandSend.disabled = !!reason;
    if (reason || el.commandHint.getAttribute('data-kind') !== 'error') {
      el.commandHint.textContent = reason || 'Output streams here as the agent produces it.';
      el.commandHint.setAttribute('data-kind', reason ? 'blocked' : 'ready');
    }
    if (rebuild) {
      while (el.commands.firstChild) el.commands.removeChild(el.commands.firstChild);
      state.commands.forEach(function (command) {
        if (command.agentId === agent.agentId) {
          command.node = null;
          renderCommand(command);
        }
      });
    }
  }

  function buildCommandNode(command) {
    var box = make('article', 'command');
    box.setAttribute('data-command-id', command.commandId);
    var head = make('div', 'command-head');
    head.appendChild(make('span', 'command-text'));
    head.appendChild(make('span', 'command-time', new Date(command.startedAt - state.clockOffsetMs).toLocaleTimeString()));
    head.appendChild(make('span', 'badge'));
    box.appendChild(head);
    var error = make('p', 'command-error');
    error.hidden = true;
    box.appendChild(error);
    var output = make('pre', 'output');
    output.setAttribute('data-role', 'output');
    box.appendChild(output);
    return box;
  }

  function renderCommand(command) {
    if (command.agentId !== state.selectedAgentId) return;
    var fresh = !command.node;
    if (fresh) {
      command.node = buildCommandNode(command);
      command.chunks.forEach(function (chunk) { insertChunk(command.node.lastChild, chunk); });
    }
    var box = command.node;
    var isSession = command.commandId === command.agentId;
    var statusText = command.status || (isSession ? 'SESSION' : 'SENT');
    box.setAttribute('data-command-status', statusText);
    box.children[0].children[0].textContent = command.content !== null ? '$ ' + command.content :
      isSession ? 'Agent output outside any command' : 'Command ' + command.commandId;
    var badge = box.children[0].children[2];
    badge.textContent = statusText;
    badge.className = 'badge c-' + statusText.toLowerCase().replace(/[^a-z]/g, '');
    box.children[1].textContent = command.error;
    box.children[1].hidden = !command.error;
    if (fresh) appendScrolled(el.commands, box);
  }

  function renderChunk(command, chunk) {
    if (command.agentId !== state.selectedAgentId) return;
    if (!command.node) { renderCommand(command); return; }
    var output = command.node.lastChild;
    var stick = output.scrollHeight - output.scrollTop - output.clientHeight < 24;
    insertChunk(output, chunk);
    if (stick) output.scrollTop = output.scrollHeight;
  }

  function insertChunk(output, chunk) {
    var span = make('span', chunk.stderr ? 'stderr' : '', chunk.content);
    if (chunk.seq !== null) span.setAttribute('data-seq', String(chunk.seq));
    // Usually in order, so walk from the end.
    var after = output.lastChild;
    while (after && chunk.seq !== null && num(after.getAttribute('data-seq')) !== null &&
           num(after.getAttribute('data-seq')) > chunk.seq) {
      after = after.previousSibling;
    }
    output.insertBefore(span, after ? after.nextSibling : output.firstChild);
  }

  function appendScrolled(container, node) {
    var stick = container.scrollHeight - container.scrollTop - container.clientHeight < 40;
    container.appendChild(node);
    if (stick) container.scrollTop = container.scrollHeight;
  }

  function submitCommand(event) {
    event.preventDefault();
    var agent = state.agents.get(state.selectedAgentId);
    var text = el.commandInput.value.trim();
    if (!agent || !text) return;
    var commandId = randomId();
    var sent = send('COMMAND_REQUEST', { agentId: agent.agentId, commandId: commandId, content: text });
    if (!sent) {
      hint('Not sent: the connection to the backend is down.', 'error');
      return;
    }
    var command = commandFor(commandId, agent.agentId);
    command.content = text;
    command.requestId = sent;
    renderCommand(command);
    el.commandInput.value = '';
    hint('Sent to ' + (agent.name || agent.agentId) + '.', 'ready');
  }

  function hint(text, kind) {
    el.commandHint.textContent = text;
    el.commandHint.setAttribute('data-kind', kind);
  }

  function showError(p) {
    hint('Backend said ' + str(p.code || 'ERROR') + ': ' + str(p.message), 'error');
  }

  // ---------- start ----------

  function init() {
    el.conn = $('conn');
    el.connText = $('conn-text');
    el.banner = $('banner');
    el.bannerText = $('banner-text');
    el.bannerRetry = $('banner-retry');
    el.bannerLogin = $('banner-login');
    el.summary = $('summary');
    el.table = $('agents-table');
    el.tbody = $('agents-body');
    el.empty = $('empty');
    el.emptyHint = $('empty-hint');
    el.filter = $('filter');
    el.commandPanel = $('command-panel');
    el.commandHeading = $('command-heading');
    el.commandPlaceholder = $('command-placeholder');
    el.commandArea = $('command-area');
    el.commandForm = $('command-form');
    el.commandLabel = $('command-label');
    el.commandInput = $('command-input');
    el.commandSend = $('command-send');
    el.commandHint = $('command-hint');
    el.commands = $('commands');
    var meta = document.querySelector('meta[name="onsembl-ws-port"]');
    el.wsPortMeta = meta ? meta.getAttribute('content') : '';

    var url = wsUrl();
    $('ws-url').textContent = url;
    el.emptyHint.textContent = 'ONSEMBL_TOKEN=<agent token> onsembl-agent start \\\n  --server ' +
      url.replace('/ws/dashboard', '') + ' --agent mock --name my-agent';

    el.filter.addEventListener('input', renderAgents);
    el.commandForm.addEventListener('submit', submitCommand);
    el.bannerRetry.addEventListener('click', function () {
      state.attempt = 0;
      if (!state.socket) connect();
    });
    setInterval(tick, 5000);
    renderAgents();
    connect();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
}());
