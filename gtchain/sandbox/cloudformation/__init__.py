"""AWS CloudFormation: what ``cdk deploy`` needs of it that moto lacks."""
