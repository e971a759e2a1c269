import { Lock } from 'lucide-react';
import type { InsecureContextNotice as Notice } from '../../lib/voice/secureContext';

/** Says that voice needs HTTPS off localhost, and which address to open instead. */
export function InsecureContextNotice({ notice }: { notice: Notice }) {
  return (
    <div className="voice-banner voice-banner--error" role="alert" data-testid="voice-insecure">
      <Lock aria-hidden size={16} />
      <div>
        <strong>Voice chat needs HTTPS.</strong> Browsers allow the microphone only on secure pages
        (https, or localhost on the server itself), and {notice.host} was opened over plain http.
        Open <a href={notice.httpsUrl}>{notice.httpsUrl}</a> instead; if that does not load, the
        server&apos;s operator needs to set up HTTPS.
      </div>
    </div>
  );
}
