"""moto 5.2.5 additions gtchain needs offline, applied once per process."""
