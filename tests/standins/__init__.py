"""Local servers that play the Slack Web API and Tavus for the tests, recording every call."""
