(set-logic QF_LIA)
(define-fun-rec f ((n Int)) Int (f n))
