"""Helpers shared by the tests, the benchmarks (bench/) and deploy/smoke_without_docker.py."""
