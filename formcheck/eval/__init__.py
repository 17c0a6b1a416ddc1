"""Accuracy on labelled real footage: labels, metrics, the run, the table."""
