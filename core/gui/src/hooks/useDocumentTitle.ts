// Keeps the browser tab title in step with the page ("Demo stream · Chorus").
import { useEffect } from 'react';

export const kAppName = 'Chorus';

/** Sets document.title to "<title> · Chorus" (or just "Chorus") while the caller is mounted. */
export function useDocumentTitle(title: string | null | undefined) {
  useEffect(() => {
    document.title = title ? `${title} · ${kAppName}` : kAppName;
  }, [title]);
}
