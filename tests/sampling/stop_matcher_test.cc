#include "sampling/stop_matcher.h"

#include <gtest/gtest.h>

namespace onnxgen::sampling {
namespace {

TEST(StopMatcher, StopStringSpanningDeltasIsNeverEmitted) {
  StopMatcher m({"\nUSER:"});
  std::string out;
  for (const char* delta : {"Hello", " there\n", "US", "ER:", " more"}) out += m.feed(delta);
  EXPECT_TRUE(m.stopped());
  EXPECT_EQ(out, "Hello there");
  EXPECT_EQ(m.matched(), "\nUSER:");
  EXPECT_EQ(m.feed("anything"), "");
}

TEST(StopMatcher, HeldBackTextIsReleasedWhenItCannotMatch) {
  StopMatcher m({"</s>"});
  EXPECT_EQ(m.feed("a </"), "a ");
  EXPECT_EQ(m.feed("b"), "</b");
  EXPECT_EQ(m.feed("<"), "");
  EXPECT_EQ(m.flush(), "<");
  EXPECT_FALSE(m.stopped());
}

TEST(StopMatcher, EarliestOfSeveralStopsWins) {
  StopMatcher m({"bb", "ab"});
  EXPECT_EQ(m.feed("xabb"), "x");
  EXPECT_EQ(m.matched(), "ab");
}

TEST(StopMatcher, EmptyStopStringIsRejected) { EXPECT_THROW(StopMatcher({""}), std::exception); }

}  // namespace
}  // namespace onnxgen::sampling
