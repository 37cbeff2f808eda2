"""The labeling-job lifecycle: the jobs moto keeps, the API operations, the state-change event."""
