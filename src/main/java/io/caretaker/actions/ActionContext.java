package io.caretaker.actions;

/** What an action knows about its run. */
public record ActionContext(String action, boolean dryRun, Trigger trigger) {}
