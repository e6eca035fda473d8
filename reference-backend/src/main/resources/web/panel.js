// The side panel of the /agents page: send a command to the selected agent, watch its output stream
// in, cancel it, and see the agent's recent commands and status history (loaded over REST with the
// session cookie, so a reloaded page shows what happened before it opened).
import { api, byId, make, num, randomId, str } from './dom.js';

const MAX_COMMANDS_PER_AGENT = 30;
const MAX_CHUNKS_PER_COMMAND = 5000;
const HISTORY_LIMIT = 8;
const RECENT_COMMANDS = 10;
const RECENT_WITH_OUTPUT = 5;
const RUNNING = ['SENT', 'PENDING', 'QUEUED', 'EXECUTING'];

/**
 * @param ctx {agent(id), live(), send(type, payload), serverNow(), localTime(serverMs), signedOut()}
 */
export function createPanel(ctx) {
  const commands = new Map(); // commandId -> command
  let selected = null;
  let historyTimer = null;

  const el = {
    panel: byId('command-panel'),
    heading: byId('command-heading'),
    placeholder: byId('command-placeholder'),
    area: byId('command-area'),
    form: byId('command-form'),
    label: byId('command-label'),
    input: byId('command-input'),
    send: byId('command-send'),
    hint: byId('command-hint'),
    list: byId('commands'),
    history: byId('history-list'),
  };
  el.form.addEventListener('submit', submit);

  function commandFor(commandId, agentId) {
    let command = commands.get(commandId);
    if (!command) {
      command = { commandId, agentId, content: null, status: '', error: '', truncated: '', exitCode: null,
                  chunks: new Map(), startedAt: ctx.serverNow(), node: null };
      commands.set(commandId, command);
      prune(agentId);
    }
    if (!command.agentId && agentId) command.agentId = agentId;
    return command;
  }

  function prune(agentId) {
    const mine = [...commands.values()].filter((c) => c.agentId === agentId)
      .sort((a, b) => a.startedAt - b.startedAt);
    while (mine.length > MAX_COMMANDS_PER_AGENT) {
      const oldest = mine.shift();
      commands.delete(oldest.commandId);
      if (oldest.node) oldest.node.remove();
    }
  }

  // ---------- events from the socket ----------

  function commandStatus(p) {
    if (!p.commandId) return;
    const command = commandFor(String(p.commandId), str(p.agentId));
    if (p.status) command.status = str(p.status);
    if (p.error) command.error = str(p.error);
    renderCommand(command);
  }

  function terminal(p, envelope) {
    if (!p.commandId) return;
    const command = commandFor(String(p.commandId), str(p.agentId));
    addChunk(command, num(p.sequence), p.streamType, p.content, envelope.id);
  }

  /** Each chunk once, in sequence order, whatever order and however often it arrives (socket or REST). */
  function addChunk(command, seq, streamType, content, fallbackKey) {
    const key = seq !== null ? seq : `x${str(fallbackKey)}`;
    if (command.chunks.has(key) || command.chunks.size >= MAX_CHUNKS_PER_COMMAND) return;
    const chunk = { seq, stderr: str(streamType).toUpperCase() === 'STDERR', content: str(content) };
    command.chunks.set(key, chunk);
    if (command.agentId !== selected) return;
    if (!command.node) {
      renderCommand(command);
      return;
    }
    const output = command.node.querySelector('[data-role="output"]');
    const stick = output.scrollHeight - output.scrollTop - output.clientHeight < 24;
    insertChunk(output, chunk);
    if (stick) output.scrollTop = output.scrollHeight;
  }

  function backendError(p) {
    hint(`Backend said ${str(p.code || 'ERROR')}: ${str(p.message)}`, 'error');
  }

  // ---------- rendering ----------

  function select(agentId) {
    selected = agentId;
    render(true);
    loadRecent(agentId);
    loadHistory(agentId);
    if (!el.input.disabled) el.input.focus();
  }

  function render(rebuild) {
    const agent = selected ? ctx.agent(selected) : null;
    el.placeholder.hidden = !!agent;
    el.area.hidden = !agent;
    el.panel.setAttribute('data-agent-id', agent ? agent.agentId : '');
    if (!agent) return;
    const label = agent.name || agent.agentId;
    el.heading.textContent = `Commands · ${label}`;
    el.label.textContent = `Run a command on ${label}`;
    const online = str(agent.status).toUpperCase() === 'ONLINE';
    const blocked = !ctx.live() ? 'Waiting for the connection to the backend…'
      : !online ? `${label} is ${agent.status || 'not online'}: commands need an ONLINE agent.` : '';
    el.input.disabled = !!blocked;
    el.send.disabled = !!blocked;
    if (blocked || el.hint.getAttribute('data-kind') === 'blocked' || !el.hint.textContent) {
      hint(blocked || 'Output streams in here as the agent produces it.', blocked ? 'blocked' : 'ready');
    }
    if (rebuild) {
      el.list.replaceChildren();
      [...commands.values()].filter((c) => c.agentId === agent.agentId)
        .sort((a, b) => a.startedAt - b.startedAt)
        .forEach((c) => {
          c.node = null;
          renderCommand(c);
        });
    }
  }

  function buildCommandNode(command) {
    const box = make('article', 'command');
    box.setAttribute('data-command-id', command.commandId);
    const head = make('div', 'command-head');
    head.append(make('span', 'command-text'), make('span', 'command-time'), make('span', 'badge'));
    const cancel = make('button', 'btn btn-small btn-quiet command-cancel', 'Cancel');
    cancel.type = 'button';
    cancel.addEventListener('click', () => cancelCommand(command));
    head.append(cancel);
    const error = make('p', 'command-error');
    const note = make('p', 'command-note');
    note.setAttribute('data-role', 'truncated');
    const output = make('pre', 'output');
    output.setAttribute('data-role', 'output');
    box.append(head, error, note, output);
    command.chunks.forEach((chunk) => insertChunk(output, chunk));
    return box;
  }

  function renderCommand(command) {
    if (command.agentId !== selected) return;
    const fresh = !command.node;
    if (fresh) command.node = buildCommandNode(command);
    const box = command.node;
    const session = command.commandId === command.agentId;
    const status = command.status || (session ? 'SESSION' : 'SENT');
    box.setAttribute('data-command-status', status);
    const [text, time, badge, cancel] = box.firstChild.children;
    text.textContent = command.content !== null ? `$ ${command.content}`
      : session ? 'Session output' : `Command ${command.commandId}`;
    time.textContent = new Date(ctx.localTime(command.startedAt)).toLocaleTimeString();
    badge.textContent = command.exitCode !== null && status !== 'COMPLETED' ? `${status} · exit ${command.exitCode}` : status;
    badge.className = `badge c-${status.toLowerCase().replace(/[^a-z]/g, '')}`;
    cancel.hidden = session || !RUNNING.includes(status);
    cancel.setAttribute('aria-label', `Cancel ${text.textContent}`);
    const error = box.children[1];
    error.textContent = command.error;
    error.hidden = !command.error;
    const note = box.children[2];
    note.textContent = command.truncated;
    note.hidden = !command.truncated;
    if (fresh) {
      const stick = el.list.scrollHeight - el.list.scrollTop - el.list.clientHeight < 40;
      el.list.append(box);
      if (stick) el.list.scrollTop = el.list.scrollHeight;
    }
  }

  function insertChunk(output, chunk) {
    const span = make('span', chunk.stderr ? 'stderr' : '', chunk.content);
    if (chunk.seq !== null) span.setAttribute('data-seq', String(chunk.seq));
    // Usually in order, so walk back from the end.
    let after = output.lastChild;
    while (after && chunk.seq !== null && num(after.getAttribute('data-seq')) !== null
           && num(after.getAttribute('data-seq')) > chunk.seq) {
      after = after.previousSibling;
    }
    output.insertBefore(span, after ? after.nextSibling : output.firstChild);
  }

  function hint(text, kind) {
    el.hint.textContent = text;
    el.hint.setAttribute('data-kind', kind);
  }

  // ---------- actions ----------

  function submit(event) {
    event.preventDefault();
    const agent = selected ? ctx.agent(selected) : null;
    const text = el.input.value.trim();
    if (!agent || !text) return;
    const commandId = randomId();
    if (!ctx.send('COMMAND_REQUEST', { agentId: agent.agentId, commandId, content: text })) {
      hint('Not sent: the connection to the backend is down.', 'error');
      return;
    }
    const command = commandFor(commandId, agent.agentId);
    command.content = text;
    renderCommand(command);
    el.input.value = '';
    hint(`Sent to ${agent.name || agent.agentId}.`, 'sent');
  }

  async function cancelCommand(command) {
    try {
      await api('POST', `/api/commands/${encodeURIComponent(command.commandId)}/cancel`,
        { reason: 'Cancelled from the /agents page' });
      hint('Cancel requested.', 'sent');
    } catch (e) {
      failed('Cancel', e);
    }
  }

  function failed(what, e) {
    if (e.status === 401) ctx.signedOut();
    hint(`${what} failed: ${e.message}`, 'error');
  }

  // ---------- history over REST ----------

  /** The agent's recent commands with their output, merged with what the socket brought (by sequence). */
  async function loadRecent(agentId) {
    try {
      const list = await api('GET', `/api/commands?agentId=${encodeURIComponent(agentId)}&limit=${RECENT_COMMANDS}`);
      const recent = (list && Array.isArray(list.commands) ? list.commands : [])
        .filter((c) => c && c.commandId)
        .sort((a, b) => (num(b.createdAt) || 0) - (num(a.createdAt) || 0));
      recent.forEach((c) => {
        const command = commandFor(String(c.commandId), agentId);
        command.content = c.content !== undefined && c.content !== null ? str(c.content) : command.content;
        command.status = str(c.status) || command.status;
        command.error = str(c.error) || command.error;
        command.exitCode = c.exitCode === undefined ? command.exitCode : c.exitCode;
        command.startedAt = num(c.createdAt) || command.startedAt;
      });
      const details = await Promise.all(recent.slice(0, RECENT_WITH_OUTPUT).map((c) =>
        api('GET', `/api/commands/${encodeURIComponent(c.commandId)}?outputLimit=2000`).catch(() => null)));
      details.forEach((d) => {
        if (!d || !Array.isArray(d.output)) return;
        const command = commandFor(String(d.commandId), agentId);
        if (d.outputTruncated === true) {
          const bytes = num(d.outputDroppedBytes) || 0;
          const chunks = num(d.outputDroppedChunks) || 0;
          command.truncated = `Output truncated: the oldest ${sizeText(bytes)} (${chunks} chunk${chunks === 1 ? '' : 's'}) `
            + 'were dropped by the per-command output cap.';
        }
        d.output.forEach((o) => addChunk(command, num(o.sequence), o.streamType, o.content, o.timestamp));
      });
      if (selected === agentId) render(true);
    } catch (e) {
      if (selected === agentId) failed('Loading recent commands', e);
    }
  }

  function sizeText(bytes) {
    if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
    if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
    return `${bytes} bytes`;
  }

  async function loadHistory(agentId) {
    try {
      const data = await api('GET', `/api/agents/${encodeURIComponent(agentId)}/history?limit=${HISTORY_LIMIT}`);
      if (selected !== agentId) return;
      const entries = (data && Array.isArray(data.history) ? data.history : [])
        .sort((a, b) => (num(b.timestamp) || 0) - (num(a.timestamp) || 0));
      el.history.replaceChildren(...entries.map((h) => {
        const item = make('li', 'history-item');
        item.setAttribute('data-status', str(h.status));
        const at = num(h.timestamp);
        item.append(make('span', 'history-time', at ? new Date(ctx.localTime(at)).toLocaleTimeString() : ''),
          make('span', 'history-status', str(h.status)),
          make('span', 'history-reason', str(h.reason)));
        return item;
      }));
      if (entries.length === 0) el.history.append(make('li', 'muted', 'No status changes recorded yet.'));
    } catch (e) {
      if (selected === agentId) failed('Loading the status history', e);
    }
  }

  /** An agent changed: refresh the form, and (debounced) the history when it is the selected one. */
  function agentChanged(agentId, statusChanged) {
    if (agentId !== selected) return;
    render(false);
    if (statusChanged) {
      clearTimeout(historyTimer);
      historyTimer = setTimeout(() => loadHistory(agentId), 300);
    }
  }

  /** After a reconnect: fill in what was missed while the socket was down. */
  function resynced() {
    render(true);
    if (selected && ctx.agent(selected)) {
      loadRecent(selected);
      loadHistory(selected);
    }
  }

  return { select, render, commandStatus, terminal, backendError, agentChanged, resynced,
           selected: () => selected };
}
