"""pytest plugins of the contract suite: the target, Hypothesis profiles and the rule recorder."""
