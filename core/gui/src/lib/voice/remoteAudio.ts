// Playing the receive slots: one hidden, autoplaying <audio> element per slot. Each element's
// volume is the listener's output volume times the volume chosen for whoever the slot carries.

export interface RemoteAudio {
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
      el.dataset.voiceSlot = String(index);
      el.muted = muted;
      container.appendChild(el);
      elements.set(index, el);
    }
    return el;
  };
  return {
    play(index, track) {
      const el = element(index);
      el.srcObject = new MediaStream([track]);
      void el.play()?.catch(() => {});
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
