from rest_framework import serializers

from accounts.serializers import UserSummarySerializer

from .models import Comment


class CommentSerializer(serializers.ModelSerializer):
    author = UserSummarySerializer(read_only=True)
    is_edited = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "task", "author", "body", "is_edited", "created_at", "updated_at"]
        read_only_fields = ["id", "task", "author", "created_at", "updated_at"]

    def get_is_edited(self, comment):
        return comment.edited_at is not None

    def validate_body(self, body):
        body = body.strip()
        if not body:
            raise serializers.ValidationError("A comment can't be empty.")
        return body
