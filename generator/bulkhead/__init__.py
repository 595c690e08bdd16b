"""bulkhead-gen: turns boards/*.yaml and configs/*.yaml into the C tables,
device trees and link scripts of one bootable Bulkhead image."""
