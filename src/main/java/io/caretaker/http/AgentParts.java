package io.caretaker.http;

import io.caretaker.collect.CollectionLoop;
import io.caretaker.run.ActionExecutor;
import io.caretaker.run.HealthJournal;
import io.caretaker.run.Maintenance;
import io.caretaker.trading.TradingEvents;
import io.caretaker.triggers.AlertTrigger;
import io.caretaker.triggers.RuleTrigger;
import io.caretaker.triggers.Scheduler;
import java.time.Clock;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * The parts of the running agent the REST API reads and calls, built by the daemon. {@code redisUp}
 * answers null when no Redis is configured.
 */
public record AgentParts(
    String instance,
    Instant started,
    CollectionLoop loop,
    RuleTrigger rules,
    ActionExecutor executor,
    Maintenance maintenance,
    Scheduler scheduler,
    AlertTrigger alerts,
    TradingEvents events,
    Supplier<Boolean> redisUp,
    Clock clock,
    int runAllAtOnce,
    HealthJournal journal) {}
