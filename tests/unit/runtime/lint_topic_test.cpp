#include <boost/test/unit_test.hpp>

#include <string>

#include "runtime/topic.hpp"

using af::runtime::topic_matches;
using af::runtime::valid_topic;
using af::runtime::valid_topic_pattern;

BOOST_AUTO_TEST_SUITE(topics)

BOOST_AUTO_TEST_CASE(published_topics_are_dotted_segments_without_wildcards) {
  for (const char* t : {"lead.created", "Deal.won", "a", "run_1.x-y.Z9", "actorflow.run.succeeded"})
    BOOST_TEST(valid_topic(t), t);
  for (const char* t :
       {"", ".", "a.", ".a", "a..b", "a.*", "#", "a.#", "a b", "a/b", "lead.créé", "a.b*", "a.#.b"})
    BOOST_TEST(!valid_topic(t), t);
  BOOST_TEST(valid_topic(std::string(255, 'a')));
  BOOST_TEST(!valid_topic(std::string(256, 'a')));
}

BOOST_AUTO_TEST_CASE(patterns_allow_star_segments_and_a_final_hash) {
  for (const char* p :
       {"lead.created", "lead.*", "*", "*.*", "#", "lead.#", "*.created.#", "actorflow.run.*"})
    BOOST_TEST(valid_topic_pattern(p), p);
  for (const char* p : {"", "lead.#.x", "#.lead", "##", "lead.*x", "lead.x*", "lead..*", "lead.",
                        "le#ad", "a.**", "a b"})
    BOOST_TEST(!valid_topic_pattern(p), p);
  BOOST_TEST(!valid_topic_pattern(std::string(254, 'a') + ".#"));
}

BOOST_AUTO_TEST_CASE(matching_follows_segments) {
  BOOST_TEST(topic_matches("lead.created", "lead.created"));
  BOOST_TEST(!topic_matches("lead.created", "Lead.created"));  // case-sensitive
  BOOST_TEST(topic_matches("lead.*", "lead.created"));
  BOOST_TEST(!topic_matches("lead.*", "lead"));
  BOOST_TEST(!topic_matches("lead.*", "lead.created.now"));
  BOOST_TEST(topic_matches("*.created", "deal.created"));
  BOOST_TEST(topic_matches("lead.#", "lead"));  // zero segments
  BOOST_TEST(topic_matches("lead.#", "lead.a.b.c"));
  BOOST_TEST(!topic_matches("lead.#", "leads.a"));
  BOOST_TEST(topic_matches("#", "anything.at.all"));
  BOOST_TEST(topic_matches("*.#", "a"));
  BOOST_TEST(!topic_matches("*.*", "a"));
  BOOST_TEST(!topic_matches("a.b", "a.b.c"));
  BOOST_TEST(!topic_matches("a.b.c", "a.b"));
  BOOST_TEST(!topic_matches("a.#.b", "a.x.b"));  // not a valid pattern
  BOOST_TEST(!topic_matches("a.*", "a.*"));      // not a valid topic
}

BOOST_AUTO_TEST_SUITE_END()
