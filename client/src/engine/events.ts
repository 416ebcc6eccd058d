/** A small typed event emitter; listeners that throw do not stop the others. */
export class Emitter<TEvents extends object> {
  readonly #listeners = new Map<keyof TEvents, Set<(value: never) => void>>();

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof TEvents>(event: K, listener: (value: TEvents[K]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as (value: never) => void);
    return () => set.delete(listener as (value: never) => void);
  }

  /** Forgets every listener: a closed client tells nothing more, whatever finishes late. */
  clear(): void {
    this.#listeners.clear();
  }

  emit<K extends keyof TEvents>(event: K, value: TEvents[K]): void {
    for (const listener of this.#listeners.get(event) ?? []) {
      try {
        (listener as (value: TEvents[K]) => void)(value);
      } catch (error) {
        reportListenerError(error);
      }
    }
  }
}

function reportListenerError(error: unknown) {
  // A listener's bug must not break the engine, nor go unseen.
  console.error('syncline: an event listener threw', error);
}
