"""Free text: redaction, segmentation, embeddings, the classifier, coding, review, evaluation."""
