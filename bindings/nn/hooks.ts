// torch.utils.hooks.RemovableHandle: what every register*Hook returns.

let nextId = 0;

export class RemovableHandle {
  readonly id = nextId++;

  constructor(private readonly hooks: Map<number, unknown>) {}

  /** Unregisters the hook (a second call does nothing). */
  remove(): void {
    this.hooks.delete(this.id);
  }
}

/** Registers `hook` in `hooks` (in call order, or first with `prepend`) and returns its handle. */
export function addHook<H>(hooks: Map<number, H>, hook: H, prepend = false): RemovableHandle {
  const handle = new RemovableHandle(hooks as Map<number, unknown>);
  if (!prepend) {
    hooks.set(handle.id, hook);
    return handle;
  }
  const rest = [...hooks];
  hooks.clear();
  hooks.set(handle.id, hook);
  for (const [id, h] of rest) hooks.set(id, h);
  return handle;
}
