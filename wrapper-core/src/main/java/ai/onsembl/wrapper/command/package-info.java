/**
 * Command execution: the wrapper runs what the backend asks and reports it truthfully.
 *
 * <h2>Wiring</h2>
 *
 * {@link ai.onsembl.wrapper.command.CommandRunner} implements {@link
 * ai.onsembl.wrapper.command.CommandHandler}. Build it with {@link
 * ai.onsembl.wrapper.command.CommandSettings} (e.g. {@code CommandSettings.forAgent("claude",
 * Mode.EXEC)}, or {@code CommandSettings.exec(ExecTemplates.parse(flag))} for {@code
 * --exec-template}), the link's {@link ai.onsembl.wrapper.Outbound}, a supplier of the current
 * agent id, and in session mode the {@link ai.onsembl.wrapper.command.SessionChild} (create the
 * runner before the child prints anything: the runner becomes its output listener). Call {@code
 * cancelAll(reason, grace)} on shutdown, {@code onSessionChildExit(code)} when a session child
 * exits, {@code close()} at the very end. {@link ai.onsembl.wrapper.command.OutputStreamer} also
 * serves the child's output outside any command ({@code commandId} = agent id).
 *
 * <h2>Frames per command</h2>
 *
 * COMMAND_ACK RECEIVED (or QUEUED with queuePosition 1..n while busy or paused) → COMMAND_ACK
 * EXECUTING → TERMINAL_OUTPUT (STDOUT and STDERR never in one chunk, ≤ 16 KiB, ≤ 20 ms late,
 * sequence 1, 2, … per command; a chunk with escape sequences has them stripped from {@code
 * content} and kept raw in {@code ansiCodes}) → one COMMAND_COMPLETE {status, error, exitCode,
 * executionTime (ms from EXECUTING), tokensUsed 0, outputStats}. Errors: "exit code N", "time limit
 * exceeded", the cancel reason, "emergency stop: reason", "could not start P: …", "prompt too
 * large: …", "agent process exited with code N", "agent process is not running".
 *
 * <h2>Modes</h2>
 *
 * <ul>
 *   <li>exec: one process per command, the prompt one argv element (no shell), in its own session
 *       and process group ({@code setsid}); a cancel is SIGTERM to the group and every descendant,
 *       the grace, then SIGKILL; when the command's process exits, anything left in its group is
 *       killed.
 *   <li>session: the prompt is written as one line to the child's stdin (a prompt holding newlines
 *       is written as it is, so the agent sees several lines). The command ends at the {@link
 *       ai.onsembl.wrapper.command.SessionCompletion} marker line or after its quiet period; a
 *       cancel or time limit interrupts the child (SIGINT through {@code SessionChild.interrupt()})
 *       and ends the command at the child's next marker/quiet period or after the grace; a forced
 *       stop ends it at once. Known limit: an agent that ignores the interrupt keeps working, and
 *       what it prints then is taken as the next command's output.
 *   <li>interactive (the wrapper's {@code interactive()}): session mode on a pseudo-terminal; the
 *       prompt is typed into the agent followed by Enter (CR), an interrupt is Ctrl+C typed into
 *       its terminal. Known limit: what the user has half-typed at that moment becomes part of the
 *       line.
 * </ul>
 *
 * <h2>The mock agent ({@code bin/onsembl-mock-agent}, POSIX sh)</h2>
 *
 * {@code onsembl-mock-agent -p PROMPT} runs one prompt and exits with its code; without {@code -p}
 * it prints {@code Mock agent running... (session mode: one prompt a line)} and reads prompts line
 * by line, printing {@code [mock-agent] done exit=N} after each ({@link
 * ai.onsembl.wrapper.command.SessionCompletion#mockAgent()}). Prompts: {@code sleep N} (then "slept
 * N"); {@code fail N} (stderr line; exec mode exits N, session mode reports exit=N); {@code exit
 * N}; {@code print N lines} ("line 1"…"line N"); {@code stderr TEXT}; {@code ignore-sigterm} (runs
 * until SIGKILL); {@code spawn-grandchild} (a TERM-ignoring {@code sleep 300}, prints "grandchild
 * pid P"; exec mode then waits for it); anything else prints "echo: PROMPT". SIGTERM exits 143 at
 * once; SIGINT in session mode abandons the current prompt ("interrupted", exit=130).
 */
package ai.onsembl.wrapper.command;
