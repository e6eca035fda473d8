// The agent table of the /agents page: one row per agent with data-agent-id and data-status, the
// summary line, the filter, and relative "Last seen" times kept current.
import { ago, byId, make, str } from './dom.js';

const KNOWN_STATUSES = ['ONLINE', 'OFFLINE', 'CONNECTING', 'ERROR'];

export function statusClass(raw) {
  let upper = str(raw).toUpperCase();
  if (upper === 'DISCONNECTED') upper = 'OFFLINE'; // the TypeScript backend's word for it
  return KNOWN_STATUSES.includes(upper) ? `s-${upper.toLowerCase()}` : 's-unknown';
}

export const isOnline = (agent) => str(agent.status).toUpperCase() === 'ONLINE';
export const label = (agent) => agent.name || agent.agentId;

/**
 * @param ctx {agents() -> Map, selected() -> agentId, onSelect(agentId), serverNow(), localTime(serverMs)}
 */
export function createTable(ctx) {
  const rows = new Map(); // agentId -> <tr>
  const el = {
    tbody: byId('agents-body'), empty: byId('empty'), summary: byId('summary'), filter: byId('filter'),
  };
  el.filter.addEventListener('input', () => render());

  function sortedAgents() {
    return [...ctx.agents().values()].sort((a, b) => {
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
    markSelected(tr, agent.agentId === ctx.selected());
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

  const absolute = (serverMs) => new Date(ctx.localTime(serverMs)).toLocaleString();

  function fillSeen(cell, agent) {
    if (isOnline(agent)) {
      cell.textContent = 'Active now';
      cell.className = 'cell-seen active';
      cell.title = agent.lastHeartbeat ? `Last heartbeat ${absolute(agent.lastHeartbeat)}` : '';
    } else if (agent.lastSeen) {
      cell.textContent = `Last seen ${ago(ctx.serverNow() - agent.lastSeen)}`;
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

  function render() {
    const agents = sortedAgents();
    rows.forEach((tr, agentId) => {
      if (!ctx.agents().has(agentId)) {
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
    ctx.onSelect(agentId);
  }

  /** Moves "Last seen 3 min ago" on without any new frame. */
  function tick() {
    rows.forEach((tr, agentId) => {
      const agent = ctx.agents().get(agentId);
      if (agent) fillSeen(tr.children[4], agent);
    });
  }

  return { render, tick, select };
}
