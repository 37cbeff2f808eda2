"""Amazon S3: bucket policies that deny insecure transport."""
