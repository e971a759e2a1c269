// chorus-peer: a command-line Chorus participant for tests and benchmarks. Joins a stream's
// voice room like the web client (HTTP sign-in, join, /rtc WebSocket, ICE, DTLS, SRTP), sends a
// tone, a WAV file or silence, measures what it hears per receive slot, and writes a JSON report.
//
//   chorus-peer --url http://127.0.0.1:8080 --user alice --password secret123 --stream 1
//       --tone 440 --duration 5 --report alice.json
//
// Exit status: 0 ok, 1 usage, 2 join failed (HTTP, /rtc), 3 media failed (ICE/DTLS),
// 4 signaling lost during the call.
#include <CLI/CLI.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <iostream>

#include "Peer.hpp"

int main(int argc, char** argv) {
  using chorus::peer::AudioSource;
  using chorus::peer::Peer;
  using chorus::peer::PeerOptions;

  CLI::App app{"chorus-peer: a C++ WebRTC participant for Chorus tests"};
  PeerOptions options;
  double tone_hz = 0;
  double volume = 0.5;
  std::string wav;
  bool silent = false;
  bool listen_only = false;
  double duration_s = 5;
  double mute_after_s = -1;
  double connect_timeout_s = 15;
  std::string report_path;
  app.add_option("--url", options.url, "Chorus base URL, http://host:port")->required();
  app.add_option("--user", options.user, "username (registered if new)")->required();
  app.add_option("--password", options.password, "password (8+ characters)")->required();
  app.add_option("--stream", options.stream_id, "stream id whose voice room to join")->required();
  auto* tone = app.add_option("--tone", tone_hz, "send a sine tone of this frequency (Hz)")
                   ->check(CLI::Range(20.0, 20000.0));
  auto* wav_option = app.add_option("--wav", wav, "send this 16-bit PCM WAV file, looped")
                         ->check(CLI::ExistingFile);
  auto* silent_flag = app.add_flag("--silent", silent, "send digital silence (DTX)");
  auto* listen_flag = app.add_flag("--listen-only", listen_only, "offer no send section");
  tone->excludes(wav_option)->excludes(silent_flag)->excludes(listen_flag);
  wav_option->excludes(silent_flag)->excludes(listen_flag);
  silent_flag->excludes(listen_flag);
  app.add_option("--volume", volume, "tone peak / WAV gain, 0..1 (default 0.5)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--duration", duration_s, "seconds of media after connecting (default 5)")
      ->check(CLI::Range(0.1, 86400.0));
  app.add_option("--mute-after", mute_after_s, "send a self-mute message after S seconds")
      ->check(CLI::Range(0.0, 86400.0));
  app.add_option("--slots", options.receive_slots, "receive sections offered (default 4)")
      ->check(CLI::Range(0, 16));
  app.add_option("--record", options.record_prefix, "record each slot to PREFIX-slotN.wav");
  app.add_option("--srtp-profiles", options.srtp_profiles,
                 "DTLS-SRTP profiles, OpenSSL syntax (default GCM then AES-CM)");
  app.add_option("--connect-timeout", connect_timeout_s, "seconds to join and connect media")
      ->check(CLI::Range(0.5, 600.0));
  app.add_flag("--bench", options.bench,
               "benchmark mode: send timestamped payloads instead of Opus, count and time what "
               "arrives without decoding");
  app.add_option("--report", report_path, "write the JSON report here");
  app.add_option("--status-file", options.status_file,
                 "rewrite the report so far here every 0.5 s while connected");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 1;  // prints help or the usage error
  }

  std::string error;
  if (tone->count() > 0) {
    options.source = AudioSource::Tone(tone_hz, volume);
  } else if (wav_option->count() > 0) {
    options.source = AudioSource::Wav(wav, volume / 0.5, &error);  // --volume 0.5 = as recorded
    if (!options.source) {
      std::cerr << "chorus-peer: " << error << "\n";
      return 1;
    }
  } else if (!listen_only) {
    options.source = AudioSource::Silence();
  }
  if (silent) options.source = AudioSource::Silence();
  const auto to_ms = [](double seconds) {
    return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
  };
  options.duration = to_ms(duration_s);
  options.connect_timeout = to_ms(connect_timeout_s);
  if (mute_after_s >= 0) options.mute_after = to_ms(mute_after_s);

  const std::string user = options.user;
  Peer peer(std::move(options));
  const int code = peer.Run();
  const auto report = peer.Report();
  if (!report_path.empty()) {
    if (!chorus::peer::WriteJsonFile(report_path, report)) {
      std::cerr << "chorus-peer: cannot write " << report_path << "\n";
    }
  }
  if (code != Peer::kOk) {
    std::cerr << "chorus-peer " << user << ": " << peer.Error() << " (exit " << code << ")\n";
  } else {
    std::cerr << "chorus-peer " << user << ": done, heard "
              << boost::json::serialize(report.at("heard")) << "\n";
  }
  return code;
}
