"""Mutation testing (cosmic-ray) of the decisions where a wrong condition is a security hole."""
