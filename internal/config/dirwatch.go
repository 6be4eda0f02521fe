package config

// dirWatcher reports events on the entries of watched directories, by the
// entry's path (the directory's own path for events on the directory).
type dirWatcher interface {
	Add(dir string) error
	Remove(dir string) error
	WatchList() []string
	Events() <-chan string
	Errors() <-chan error
	Close() error
}
