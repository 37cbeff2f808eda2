"""The demo: labeling scenarios played against gtchain deployed in the offline sandbox."""
