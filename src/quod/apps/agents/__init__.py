"""`quod agents`: multi-turn tool-using agents trained with RL on verifiable rewards.

Light modules (trajectories, tools, environments) import nothing heavy;
torch, transformers, rank-bm25 and ray load only in the modules that need them.
"""
