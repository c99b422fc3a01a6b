// The Annotate page's queue of server writes: they run one after the other in the order the user asked, and one
// that fails drops those queued after it (its error goes to `onError`). A blocking action is one whose result must
// be on screen before the next key counts: while it runs the page is busy and further blocking actions are ignored.
import { useRef, useState } from 'preact/hooks';

/**
 * Returns {enqueue, blockingAction, blocking (a ref: true while a blocking action runs), busy, saving (writes still
 * on their way), pressed (the category button shown pressed until the blocking action ends), setPressed}.
 */
export function useWriteQueue(onError) {
  const [busy, setBusy] = useState(false); // an action that must finish before the next one (nothing to show yet)
  const [saving, setSaving] = useState(0); // writes still on their way to the server
  const [pressed, setPressed] = useState(null);
  const blocking = useRef(false);
  const queue = useRef({ chain: Promise.resolve(), pending: 0, generation: 0 });

  /** Writes run one after the other, in the order the user asked; one that fails drops those queued after it. */
  function enqueue(fn) {
    const q = queue.current;
    const generation = q.generation;
    q.pending += 1;
    setSaving(q.pending);
    const run = q.chain.then(async () => {
      if (generation !== q.generation) return;
      try {
        await fn();
      } catch (e) {
        q.generation += 1;
        onError(e);
      } finally {
        q.pending -= 1;
        setSaving(q.pending);
      }
    });
    q.chain = run;
    return run;
  }

  /** An action whose result must be on screen before the next key counts (keys meanwhile are ignored). */
  function blockingAction(fn) {
    if (blocking.current) return;
    blocking.current = true;
    setBusy(true);
    onError(null);
    enqueue(fn).finally(() => {
      blocking.current = false;
      setBusy(false);
      setPressed(null);
    });
  }

  return { enqueue, blockingAction, blocking, busy, saving, pressed, setPressed };
}
