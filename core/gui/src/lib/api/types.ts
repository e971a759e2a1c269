// Shapes of the chorusd REST API (docs/api.md). Kept in one place so hooks and pages agree.

export type Role = 'admin' | 'user';

export interface User {
  id: number;
  username: string;
  role: Role;
}

export interface VoiceSummary {
  enabled: boolean;
  participants: number;
}

export interface Stream {
  id: number;
  title: string;
  description: string;
  hls_url: string;
  host_id: number | null;
  voice_enabled: boolean;
  voice: VoiceSummary;
  created_at: string;
  updated_at: string;
}

export interface Credentials {
  username: string;
  password: string;
}

export interface NewStream {
  title: string;
  description?: string;
  hls_url?: string;
  voice_enabled?: boolean;
  host_id?: number | null;
}

export type StreamPatch = Partial<NewStream>;
