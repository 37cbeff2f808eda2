"""What a labeling job reads and writes in S3: input manifests, labels, the output layout."""
