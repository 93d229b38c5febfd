// Package retry is the one retry loop of the providers: an operation tried
// again after failures worth another go, with exponential backoff and
// jitter, built on k8s.io/apimachinery's wait.
//
// What must stay true:
//   - No wait is shorter than its backoff step nor longer than the
//     policy's Max: the jitter is added inside Max, not on top of it.
//   - A cancelled context ends a wait at once; the operation is never
//     started again after that.
package retry
