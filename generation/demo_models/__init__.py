"""Demo models that draw what the prompt says: a procedural shapes world (`world`), an adherence
metric that reads a render back (`adherence`), the tiny CogVideoX pipeline (`shapes`) and its
training script (`train`). See docs/GENERATION.md, "The shapes demo model".

`world` and `adherence` are numpy only (no torch), so the API can list the vocabulary cheaply.
"""
