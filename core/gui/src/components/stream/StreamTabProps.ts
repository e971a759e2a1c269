import type { Stream, User } from '../../lib/api/types';

/** What every StreamPage tab panel receives. */
export interface StreamTabProps {
  stream: Stream;
  user: User;
}
