package ai.onsembl.backend.internal;

import ai.onsembl.protocol.Message;

/**
 * Sends a frame to an agent's connection, through the fault-injection hooks (see
 * BackendCore.sendToAgent).
 */
@FunctionalInterface
interface AgentSender {
  void send(Peer agent, Message message);
}
