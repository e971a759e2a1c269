// Playing the receive slots: one hidden, autoplaying <audio> element per slot. Each element's
// volume is the listener's output volume times the volume chosen for whoever the slot carries.
// Safari (and every iOS browser) lets an element play only once a user gesture started it:
// `unlock` runs inside the Join click and starts every slot's element, inline (`playsinline`),
// and the same elements then serve the whole call, reconnects included.

export interface RemoteAudio {
  /** Creates and starts slots 0..slots-1 now (call it inside the user's click). */
  unlock(slots: number): void;
  /** Starts playing `track` on slot `index`. */
  play(index: number, track: MediaStreamTrack): void;
  /** Sets the slot's volume (0..1; the element cannot amplify). */
  setVolume(index: number, volume: number): void;
  /** Silences every slot (deafen) or restores them. */
  setMuted(muted: boolean): void;
  /** Stops all slots and removes the elements. */
  dispose(): void;
}

/** Creates RemoteAudio over real <audio> elements in a hidden container in `doc.body`. */
export function createDomRemoteAudio(doc: Document = document): RemoteAudio {
  const container = doc.createElement('div');
  container.hidden = true;
  container.dataset.voiceAudio = '';
  doc.body.appendChild(container);
  const elements = new Map<number, HTMLAudioElement>();
  let muted = false;
  const element = (index: number) => {
    let el = elements.get(index);
    if (!el) {
      el = doc.createElement('audio');
      el.autoplay = true;
      el.setAttribute('playsinline', '');
      el.dataset.voiceSlot = String(index);
      el.muted = muted;
      container.appendChild(el);
      elements.set(index, el);
    }
    return el;
  };
  const start = (el: HTMLAudioElement) => {
    void el.play()?.catch(() => {});
  };
  return {
    unlock(slots) {
      for (let i = 0; i < slots; i++) start(element(i));
    },
    play(index, track) {
      const el = element(index);
      el.srcObject = new MediaStream([track]);
      start(el);
    },
    setVolume(index, volume) {
      element(index).volume = Math.min(1, Math.max(0, volume));
    },
    setMuted(value) {
      muted = value;
      elements.forEach((el) => (el.muted = value));
    },
    dispose() {
      elements.forEach((el) => {
        el.pause();
        el.srcObject = null;
      });
      elements.clear();
      container.remove();
    },
  };
}
