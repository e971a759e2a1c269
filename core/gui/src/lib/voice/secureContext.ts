// Browsers expose the microphone (navigator.mediaDevices) only in a secure context: an https page,
// or http on a loopback name (localhost, 127.0.0.1). Off localhost over http, voice cannot work.

export interface InsecureContextNotice {
  /** The host the page was opened on (name and port). */
  host: string;
  /** The same page over https: the address to use instead. */
  httpsUrl: string;
}

/**
 * Returns what to tell the user when the page is not a secure context (`isSecureContext` false),
 * with the https address of the same page; null when voice can work (or the browser does not say).
 */
export function insecureContextNotice(
  isSecureContext: boolean | undefined,
  href: string,
): InsecureContextNotice | null {
  if (isSecureContext !== false) return null;
  const url = new URL(href);
  if (url.protocol === 'http:') url.protocol = 'https:';
  return { host: url.host, httpsUrl: url.toString() };
}
