"""HTTP helpers shared by the apps (the core: no domain imports)."""
