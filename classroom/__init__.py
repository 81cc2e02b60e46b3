"""Serving the course to a class on one JupyterHub node.

Not part of ``lessons_lib`` (the learner's library): this package starts and stops
a real JupyterHub (:mod:`.hub`, configured by ``jupyterhub_config.py``), makes the
learners' Unix accounts (:mod:`.accounts`) from a small settings file kept outside
the repository (:mod:`.settings`), runs the hub-managed progress service behind the
instructors' live dashboard (:mod:`.progress`), and drives simulated learners for the
tests and the load benchmark (:mod:`.client`, :mod:`.load`).
"""
