// A tiny store of transient notifications, usable outside React (e.g. from the query cache).

export type ToastTone = 'error' | 'info' | 'success';

export interface Toast {
  id: number;
  tone: ToastTone;
  message: string;
}

/** How long a toast stays unless dismissed. */
export const kToastLifetimeMs = 6000;
/** Oldest toasts are dropped beyond this many. */
export const kMaxToasts = 4;

type Listener = () => void;

export class ToastStore {
  private toasts_: readonly Toast[] = [];
  private nextId_ = 1;
  private readonly listeners_ = new Set<Listener>();
  private readonly timers_ = new Map<number, ReturnType<typeof setTimeout>>();

  /** Adds a toast, schedules its removal, and returns its id. Repeated messages are merged. */
  push(tone: ToastTone, message: string): number {
    const existing = this.toasts_.find((t) => t.tone === tone && t.message === message);
    if (existing) return existing.id;
    const id = this.nextId_++;
    this.toasts_ = [...this.toasts_, { id, tone, message }].slice(-kMaxToasts);
    this.timers_.set(
      id,
      setTimeout(() => this.dismiss(id), kToastLifetimeMs),
    );
    this.emit();
    return id;
  }

  /** Removes a toast by id (no-op if already gone). */
  dismiss(id: number): void {
    const timer = this.timers_.get(id);
    if (timer !== undefined) clearTimeout(timer);
    this.timers_.delete(id);
    if (!this.toasts_.some((t) => t.id === id)) return;
    this.toasts_ = this.toasts_.filter((t) => t.id !== id);
    this.emit();
  }

  /** Returns the current toasts (a stable array until the next change). */
  snapshot = (): readonly Toast[] => this.toasts_;

  /** Registers a change listener; returns the unsubscribe function. */
  subscribe = (listener: Listener): (() => void) => {
    this.listeners_.add(listener);
    return () => this.listeners_.delete(listener);
  };

  private emit(): void {
    for (const listener of this.listeners_) listener();
  }
}

/** The app-wide store. */
export const toasts = new ToastStore();
