"""The README's main job: train and evaluate a small model on the corpus in examples/."""

print("nlp demo: not yet - training lands with the nlp-models and nlp-train issues.")
