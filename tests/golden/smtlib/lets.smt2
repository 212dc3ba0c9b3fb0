(set-logic QF_UFLIA)
(declare-fun f (Int) Int)
(declare-fun a () Int)
(declare-fun b () Int)
; nested, parallel and shadowing lets; shared subterms print once
(assert (let ((?v (f a)) (?w (f b))) (let ((?v (+ ?v ?w)) (?u ?v)) (and (> ?v ?u) (< (* ?v ?v) (f ?u))))))
(assert (let ((a b) (b a)) (= (f a) b)))
(check-sat)
