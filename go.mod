module github.com/goiscsi/goiscsi

go 1.26.8
