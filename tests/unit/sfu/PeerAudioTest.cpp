// The test peer's audio measurements: RFC 6464 levels, tone detection, WAV in and out.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <string>
#include <vector>

#include "AudioMath.hpp"
#include "AudioSource.hpp"
#include "BenchPayload.hpp"
#include "ToneAnalyzer.hpp"
#include "WavFile.hpp"

namespace chorus::peer {
namespace {

std::vector<std::int16_t> Sine(double hz, double amplitude, std::size_t samples) {
  std::vector<std::int16_t> out(samples);
  for (std::size_t i = 0; i < samples; ++i) {
    out[i] = static_cast<std::int16_t>(
        std::lround(amplitude * 32767 * std::sin(2 * std::numbers::pi * hz * i / 48000.0)));
  }
  return out;
}

TEST(PeerAudioTest, AudioLevelFollowsRfc6464) {
  // A full-scale square wave is 0 dBov; a full-scale sine is -3 dBov; silence is 127.
  std::vector<std::int16_t> square(960);
  for (std::size_t i = 0; i < square.size(); ++i) square[i] = (i / 48) % 2 ? 32767 : -32767;
  EXPECT_EQ(AudioLevelDbov(square), 0);
  EXPECT_EQ(AudioLevelDbov(Sine(440, 1.0, 960)), 3);
  EXPECT_EQ(AudioLevelDbov(Sine(440, 0.1, 960)), 23);
  EXPECT_EQ(AudioLevelDbov(std::vector<std::int16_t>(960, 0)), 127);
  // A DC of 1 LSB is -90 dBov: still a level, not silence.
  EXPECT_EQ(AudioLevelDbov(std::vector<std::int16_t>(960, 1)), 90);
}

TEST(PeerAudioTest, DominantFrequencyOfTones) {
  for (double hz : {220.0, 440.0, 660.0, 880.0, 1234.0}) {
    EXPECT_NEAR(ToneAnalyzer::DominantFrequency(Sine(hz, 0.3, 4800)), hz, 2.0) << hz;
  }
}

TEST(PeerAudioTest, AnalyzerClustersWindowsAndSkipsSilence) {
  ToneAnalyzer analyzer;
  analyzer.Feed(Sine(440, 0.5, 48000), 1000);               // 10 windows of 440 Hz
  analyzer.Feed(std::vector<std::int16_t>(9600, 0), 2000);  // 2 silent windows
  analyzer.Feed(Sine(660, 0.05, 24000), 3000);              // 5 quieter windows of 660 Hz
  ASSERT_EQ(analyzer.Clusters().size(), 2u);
  EXPECT_NEAR(analyzer.Clusters()[0].hz, 440, 2);
  EXPECT_EQ(analyzer.Clusters()[0].windows, 10u);
  EXPECT_NEAR(analyzer.Clusters()[0].sum_dbfs / 10, -9.0, 0.5);
  EXPECT_NEAR(analyzer.Clusters()[1].hz, 660, 2);
  EXPECT_EQ(analyzer.Clusters()[1].windows, 5u);
  EXPECT_EQ(analyzer.Clusters()[1].first_ms, 3000);
  EXPECT_EQ(analyzer.SilentWindows(), 2u);
}

TEST(PeerAudioTest, WavRoundTripAndWavSourceResamples) {
  const std::string path = ::testing::TempDir() + "/peer-audio-test.wav";
  {
    WavWriter writer;
    ASSERT_TRUE(writer.Open(path, 16000));  // a 16 kHz file, as espeak-ng writes
    auto tone = Sine(500 * 3, 0.4, 16000);  // 1500 Hz at 48 kHz = 500 Hz at 16 kHz
    writer.Write(tone);
  }
  std::string error;
  auto wav = ReadWav(path, &error);
  ASSERT_TRUE(wav) << error;
  EXPECT_EQ(wav->sample_rate_hz, 16000u);
  EXPECT_EQ(wav->channels, 1);
  EXPECT_EQ(wav->samples.size(), 16000u);

  auto source = AudioSource::Wav(path, 1.0, &error);
  ASSERT_TRUE(source) << error;
  std::vector<std::int16_t> played;
  std::array<std::int16_t, AudioSource::kFrameSamples> frame{};
  for (int i = 0; i < 5; ++i) {
    source->NextFrame(frame);
    played.insert(played.end(), frame.begin(), frame.end());
  }
  EXPECT_NEAR(ToneAnalyzer::DominantFrequency(played), 500, 3);
  std::remove(path.c_str());

  EXPECT_FALSE(AudioSource::Wav(path, 1.0, &error));
  EXPECT_FALSE(error.empty());
}

TEST(PeerAudioTest, ToneSourceIsContinuousAcrossFrames) {
  auto source = AudioSource::Tone(880, 0.5);
  std::vector<std::int16_t> played;
  std::array<std::int16_t, AudioSource::kFrameSamples> frame{};
  for (int i = 0; i < 5; ++i) {
    source->NextFrame(frame);
    played.insert(played.end(), frame.begin(), frame.end());
  }
  EXPECT_NEAR(ToneAnalyzer::DominantFrequency(played), 880, 1);
  EXPECT_NEAR(RmsDbfs(played), -9.03, 0.1);
}

TEST(PeerAudioTest, BenchPayloadRoundTripAndRejectsOpus) {
  std::array<std::uint8_t, 32> buffer{};
  const auto sent = std::chrono::steady_clock::now().time_since_epoch();
  const std::size_t n = WriteBenchPayload(sent, buffer);
  ASSERT_EQ(n, kBenchPayloadBytes);
  auto read = ReadBenchPayload(std::span<const std::uint8_t>(buffer.data(), n));
  ASSERT_TRUE(read);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::nanoseconds>(*read),
            std::chrono::duration_cast<std::chrono::nanoseconds>(sent));
  EXPECT_FALSE(ReadBenchPayload(std::span<const std::uint8_t>(buffer.data(), n - 1)));
  buffer[2] = 'X';
  EXPECT_FALSE(ReadBenchPayload(std::span<const std::uint8_t>(buffer.data(), n)));
  EXPECT_EQ(WriteBenchPayload(sent, std::span<std::uint8_t>(buffer.data(), 12)), 0u);
}

}  // namespace
}  // namespace chorus::peer
